// Decoder of the IR byte format (FORMAT.md) written by the OCaml side
// (x86_ir.ml). Strict: any malformed input is an Error naming the byte offset
// and the index of the line being decoded; allocation is bounded by the input
// size (every count is checked against the bytes that remain). The Program's
// texts are views into `data`, which must outlive it.
#pragma once

#include <cstddef>
#include <cstdint>

#include "ir/ir.hpp"
#include "support/error.hpp"

namespace ocamljit::ir {

inline constexpr char kMagic[4] = {'O', 'J', 'I', 'R'};
inline constexpr uint8_t kVersion = 1;

Result<Program> decode(const uint8_t* data, size_t size);
// The same into `into`, cleared first and reusing its capacity (a long-lived
// Program for unit after unit). On error `into` is left empty.
Status decode(const uint8_t* data, size_t size, Program& into);

}  // namespace ocamljit::ir
