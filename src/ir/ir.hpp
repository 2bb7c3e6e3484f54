// The IR: the compiler's symbolic x86-64 assembly (OCaml 4.13.1's
// X86_ast.asm_program) as C++ values. It mirrors X86_ast constructor for
// constructor, so that the OCaml serialiser (x86_ir.ml) and the C++ decoder
// (decode.hpp) are a direct transcription of each other and the assembler
// sees exactly what the compiler's GAS printer sees.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ocamljit::ir {

enum class Cond : uint8_t { L, GE, LE, G, B, AE, BE, A, E, NE, O, NO, S, NS, P, NP };
enum class Rounding : uint8_t { Up, Down, Nearest, Truncate };
enum class DataType : uint8_t { None, Real4, Real8, Byte, Word, Dword, Qword, Oword, Near, Proc };
// In X86_ast's order, which is NOT the hardware register number.
enum class Reg64 : uint8_t { RAX, RBX, RCX, RDX, RSP, RBP, RSI, RDI, R8, R9, R10, R11, R12, R13, R14, R15 };
enum class Reg8H : uint8_t { AH, BH, CH, DH };
enum class Arch : uint8_t { X64, X86 };

// constant = Const n | ConstThis | ConstLabel s | ConstAdd (a, b) | ConstSub (a, b)
struct Constant {
  enum class Kind : uint8_t { Int, This, Label, Add, Sub } kind = Kind::Int;
  int64_t value = 0;           // Int
  std::string label;           // Label
  std::vector<Constant> args;  // Add, Sub: exactly two
};

struct Mem {
  Arch arch = Arch::X64;
  DataType type = DataType::None;
  Reg64 idx = Reg64::RAX;
  int scale = 0;               // 0: no index (and then no base either)
  std::optional<Reg64> base;
  std::optional<std::string> sym;
  int64_t displ = 0;
};

struct Arg {
  enum class Kind : uint8_t {
    Imm,      // imm
    Sym,      // sym (may carry a suffix such as "@PLT" or "@GOTPCREL")
    Reg8L,    // reg
    Reg8H,    // reg8h
    Reg16,    // reg
    Reg32,    // reg
    Reg64,    // reg
    Xmm,      // xmm: Regf (XMM n)
    Tos,      // Regf TOS
    St,       // st: Regf (ST n)
    Mem,      // mem
    MemRip,   // rip_type, sym, displ: Mem64_RIP (typ, sym, displ)
  } kind = Kind::Imm;
  int64_t imm = 0;
  std::string sym;
  Reg64 reg = Reg64::RAX;
  Reg8H reg8h = Reg8H::AH;
  int xmm = 0;
  int st = 0;
  Mem mem;
  DataType rip_type = DataType::None;
  int64_t displ = 0;
};

// One opcode per X86_ast.instruction constructor, in X86_ast's order.
enum class Op : uint16_t {
  ADD, ADDSD, AND, ANDPD, BSWAP, CALL, CDQ, CMOV, CMP, COMISD, CQO, CVTSD2SI, CVTSD2SS,
  CVTSI2SD, CVTSS2SD, CVTTSD2SI, DEC, DIVSD, FABS, FADD, FADDP, FCHS, FCOMP, FCOMPP, FCOS,
  FDIV, FDIVP, FDIVR, FDIVRP, FILD, FISTP, FLD, FLD1, FLDCW, FLDLG2, FLDLN2, FLDZ, FMUL,
  FMULP, FNSTCW, FNSTSW, FPATAN, FPTAN, FSIN, FSQRT, FSTP, FSUB, FSUBP, FSUBR, FSUBRP,
  FXCH, FYL2X, HLT, IDIV, IMUL, INC, J, JMP, LEA, LEAVE, MOV, MOVAPD, MOVLPD, MOVSD, MOVSS,
  MOVSX, MOVSXD, MOVZX, MULSD, NEG, NOP, OR, POP, PUSH, RET, ROUNDSD, SAL, SAR, SET, SHR,
  SQRTSD, SUB, SUBSD, TEST, UCOMISD, XCHG, XOR, XORPD,
};

struct Instr {
  Op op = Op::NOP;
  Cond cond = Cond::E;          // CMOV, J, SET
  Rounding rounding = Rounding::Nearest;  // ROUNDSD
  std::vector<Arg> args;        // in X86_ast order: source first, destination last (AT&T)
};

// One asm_line.
struct Line {
  enum class Kind : uint8_t {
    Ins,                 // ins
    Align,               // flag (data?), n
    Byte, Long, Quad, Word,  // constant
    Bytes,               // text
    Comment,             // text
    Global,              // text
    NewLabel,            // text, dtype
    Section,             // section_names, section_flags, section_args
    Space,               // n
    External,            // text, dtype (masm only)
    Mode386,             // (masm only)
    Model,               // text (masm only)
    CfiAdjustCfaOffset,  // n
    CfiEndproc, CfiStartproc,
    File,                // n (file number), text (file name)
    IndirectSymbol,      // text
    Loc,                 // n (file), line, column
    PrivateExtern,       // text
    Set,                 // text, constant
    Size,                // text, constant
    Type,                // text, text2
  } kind = Kind::Comment;
  Instr ins;
  bool flag = false;
  int64_t n = 0;
  int64_t line = 0;
  int64_t column = 0;
  Constant constant;
  std::string text;
  std::string text2;
  DataType dtype = DataType::None;
  std::vector<std::string> section_names;
  std::optional<std::string> section_flags;
  std::vector<std::string> section_args;
};

struct Program {
  std::vector<Line> lines;
};

}  // namespace ocamljit::ir
