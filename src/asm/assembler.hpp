// The in-process assembler: the compiler's symbolic x86-64 assembly
// (ir::Program, a mirror of X86_ast) to a relocatable Object whose section
// bytes and relocations are those GNU as 2.40 produces for the same program
// printed by X86_gas.
#pragma once

#include <string>
#include <string_view>

#include "ir/ir.hpp"
#include "object/object.hpp"
#include "support/error.hpp"

namespace ocamljit::assembler {

// `unit_name` only appears in error messages and as Object::name.
Result<obj::Object> assemble(const ir::Program& program, const std::string& unit_name);

// The same into `out`, whose previous contents go and whose memory (vectors,
// section contents, symbol names) is reused: a long-lived Object that
// receives unit after unit of similar size makes assembling allocation-free.
// On error `out` holds nothing usable.
Status assemble(const ir::Program& program, std::string_view unit_name, obj::Object& out);

}  // namespace ocamljit::assembler
