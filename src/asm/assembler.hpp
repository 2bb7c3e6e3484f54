// The in-process assembler: the compiler's symbolic x86-64 assembly
// (ir::Program, a mirror of X86_ast) to a relocatable Object whose section
// bytes and relocations are those GNU as 2.40 produces for the same program
// printed by X86_gas.
#pragma once

#include <string>

#include "ir/ir.hpp"
#include "object/object.hpp"
#include "support/error.hpp"

namespace ocamljit::assembler {

// `unit_name` only appears in error messages and as Object::name.
Result<obj::Object> assemble(const ir::Program& program, const std::string& unit_name);

}  // namespace ocamljit::assembler
