// Instruction encoder: one ir::Instr to x86-64 machine code, choosing the
// same opcode form GNU as 2.40 chooses for the AT&T text X86_gas prints.
// Symbolic parts (displacements, immediates, branch targets) come back as
// fixups; the assembler resolves them or turns them into relocations.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ir/ir.hpp"
#include "support/error.hpp"

namespace ocamljit::assembler {

// A symbol reference inside an encoded instruction.
struct Fixup {
  enum class Variant : uint8_t { None, Plt, GotPcrel };
  uint32_t offset = 0;      // of the field within the instruction bytes
  uint8_t size = 4;         // bytes: 1, 4 or 8
  bool pcrel = false;
  bool is_branch = false;   // call/jmp/jcc target: PLT32 for non-local symbols
  Variant variant = Variant::None;
  // GOTPCREL through an instruction the linker may relax (mov/call/jmp/
  // test/binop): GNU as emits (REX_)GOTPCRELX there.
  bool relaxable_got = false;
  bool has_rex = false;
  bool signed32 = false;    // absolute 32-bit field sign-extended by the CPU (R_X86_64_32S)
  std::string_view symbol;  // without its @PLT/@GOTPCREL suffix (a view into the IR)
  // What GNU as calls fx_offset: the displacement written in the source,
  // minus, for a pc-relative field, the bytes of immediate after it.
  int64_t offset_expr = 0;
};

struct Encoded {
  uint8_t bytes[16];
  uint8_t length = 0;
  std::vector<Fixup> fixups;
};

// A jump to a symbol, which the assembler relaxes (short/near) itself.
struct BranchTarget {
  bool is_branch = false;   // J or JMP with a Sym operand
  bool conditional = false;
  uint8_t cond = 0;         // hardware condition code (0..15)
  std::string_view symbol;
  bool plt = false;
};

// Recognises J/JMP to a symbol (to be relaxed by the caller).
BranchTarget branch_target(const ir::Instr& ins);

// Encodes any other instruction. Errors say what operand form is unsupported.
Status encode(const ir::Instr& ins, Encoded& out);

// Splits "foo@PLT" into ("foo", Plt), etc.
std::pair<std::string_view, Fixup::Variant> split_symbol_suffix(std::string_view sym);

// Hardware condition code of an ir::Cond.
uint8_t cond_code(ir::Cond c);

// Textual names, for error messages.
const char* op_name(ir::Op op);
std::string describe(const ir::Instr& ins);

// GNU as's NOP padding of `count` bytes in a code section.
void code_padding(uint64_t count, std::vector<uint8_t>& out);

}  // namespace ocamljit::assembler
