// Prints an IR program as GNU assembler text, exactly as OCaml 4.13.1's
// X86_gas.generate_asm prints the same X86_ast program on Linux. Used to check
// the IR against `ocamlopt -S`, to debug, and (by ocamljit-opt's `gas`
// backend) to assemble with GNU as through the IR.
#pragma once

#include <string>

#include "ir/ir.hpp"
#include "support/error.hpp"

namespace ocamljit::ir {

// Fails (naming the line) on what X86_gas cannot print either: MASM-only
// directives, x87 registers where a size suffix is needed, bad call targets.
Result<std::string> to_gas(const Program& program);

}  // namespace ocamljit::ir
