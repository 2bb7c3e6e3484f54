// Decoder of the IR byte format (FORMAT.md) written by the OCaml side
// (x86_ir.ml). Strict: any malformed input is an Error naming the byte offset
// and the index of the line being decoded; allocation is bounded by the input
// size (every count is checked against the bytes that remain).
#pragma once

#include <cstddef>
#include <cstdint>

#include "ir/ir.hpp"
#include "support/error.hpp"

namespace ocamljit::ir {

inline constexpr char kMagic[4] = {'O', 'J', 'I', 'R'};
inline constexpr uint8_t kVersion = 1;

Result<Program> decode(const uint8_t* data, size_t size);

}  // namespace ocamljit::ir
