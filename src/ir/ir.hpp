// The IR: the compiler's symbolic x86-64 assembly (OCaml 4.13.1's
// X86_ast.asm_program) as C++ values. It mirrors X86_ast constructor for
// constructor, so that the OCaml serialiser (x86_ir.ml) and the C++ decoder
// (decode.hpp) are a direct transcription of each other and the assembler
// sees exactly what the compiler's GAS printer sees.
//
// Lean on purpose (a tiny toplevel phrase is ~100 lines, decoded and
// assembled in a few microseconds): text is a std::string_view, into the IR
// bytes for a decoded Program (they must outlive it) or into Program::text
// for one built otherwise; an instruction's operands are a fixed array; the
// instructions, the operands of constant expressions and the payloads of
// `.section`, `.loc` and `.type` lines live in pools of the Program, so that
// a Line (mostly directives) stays small. Building a Program allocates a handful of blocks,
// not one per line.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ir/stable_pool.hpp"

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
  std::string_view label;      // Label
  // Add, Sub: both set, pointing into Program::operands.
  const Constant* lhs = nullptr;
  const Constant* rhs = nullptr;
};

struct Mem {
  Arch arch = Arch::X64;
  DataType type = DataType::None;
  Reg64 idx = Reg64::RAX;
  std::optional<Reg64> base;
  int scale = 0;               // 0: no index (and then no base either)
  std::optional<std::string_view> sym;
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
  std::string_view sym;
  Reg64 reg = Reg64::RAX;
  Reg8H reg8h = Reg8H::AH;
  DataType rip_type = DataType::None;
  int xmm = 0;
  int st = 0;
  int64_t displ = 0;
  Mem mem;
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

// At most two operands (X86_ast has no three-operand instruction).
class Operands {
 public:
  static constexpr size_t kMax = 2;
  size_t size() const { return n_; }
  bool empty() const { return n_ == 0; }
  Arg& operator[](size_t k) { return items_[k]; }
  const Arg& operator[](size_t k) const { return items_[k]; }
  Arg* begin() { return items_; }
  Arg* end() { return items_ + n_; }
  const Arg* begin() const { return items_; }
  const Arg* end() const { return items_ + n_; }
  // False (and nothing added) when full.
  bool push_back(const Arg& a) {
    if (n_ == kMax) return false;
    items_[n_++] = a;
    return true;
  }
  void resize(size_t n) { n_ = static_cast<uint8_t>(n < kMax ? n : kMax); }

 private:
  Arg items_[kMax];
  uint8_t n_ = 0;
};

struct Instr {
  Op op = Op::NOP;
  Cond cond = Cond::E;          // CMOV, J, SET
  Rounding rounding = Rounding::Nearest;  // ROUNDSD
  Operands args;                // in X86_ast order: source first, destination last (AT&T)
};

// A list of names of a `.section` line: `count` entries of
// Program::name_lists from `first`.
struct NameList {
  uint32_t first = 0;
  uint32_t count = 0;
  bool empty() const { return count == 0; }
};

// The payload of a `.section` line (a few per unit: kept out of Line).
struct SectionSpec {
  NameList names;
  std::optional<std::string_view> flags;
  NameList args;
};

// The line and column of a `.loc` line (its file number is Line::n).
struct LocSpec {
  int64_t line = 0;
  int64_t column = 0;
};

// One asm_line. Compact (most lines are directives with one number, one name
// or one constant): the rare payloads of Ins, Section, Loc and Type lines are
// in pools of the Program, at `index`, so that decoding a unit writes, and
// the assembler reads back, as few bytes as possible.
struct Line {
  enum class Kind : uint8_t {
    Ins,                 // Program::instrs[index]
    Align,               // flag (data?), n
    Byte, Long, Quad, Word,  // constant
    Bytes,               // text
    Comment,             // text
    Global,              // text
    NewLabel,            // text, dtype
    Section,             // Program::sections[index]
    Space,               // n
    External,            // text, dtype (masm only)
    Mode386,             // (masm only)
    Model,               // text (masm only)
    CfiAdjustCfaOffset,  // n
    CfiEndproc, CfiStartproc,
    File,                // n (file number), text (file name)
    IndirectSymbol,      // text
    Loc,                 // n (file), Program::locs[index] (line, column)
    PrivateExtern,       // text
    Set,                 // text, constant
    Size,                // text, constant
    Type,                // text, Program::name_lists[index] (the type)
  } kind = Kind::Comment;
  bool flag = false;
  DataType dtype = DataType::None;
  uint32_t index = 0;   // into the pool of the kind's payload (see Kind)
  int64_t n = 0;
  std::string_view text;
  Constant constant;
};

// Not copyable: constants and texts point into its pools (moving keeps them).
struct Program {
  std::vector<Line> lines;
  std::vector<Instr> instrs;                  // of Ins lines (Line::index)
  std::vector<SectionSpec> sections;          // of Section lines (Line::index)
  std::vector<LocSpec> locs;                  // of Loc lines (Line::index)
  StablePool<Constant> operands;              // of Add/Sub constants (never move)
  std::vector<std::string_view> name_lists;   // see NameList; the types of Type lines
  std::deque<std::string> text;               // texts that are not in IR bytes

  Program() = default;
  Program(Program&&) = default;
  Program& operator=(Program&&) = default;
  Program(const Program&) = delete;
  Program& operator=(const Program&) = delete;

  // The payloads of Ins, Section, Loc and Type lines; nullptr if the index
  // is out of range (only a Program built by hand can have that).
  const Instr* instr(const Line& l) const { return l.index < instrs.size() ? &instrs[l.index] : nullptr; }
  const SectionSpec* section(const Line& l) const {
    return l.index < sections.size() ? &sections[l.index] : nullptr;
  }
  const LocSpec* loc(const Line& l) const { return l.index < locs.size() ? &locs[l.index] : nullptr; }
  const std::string_view* symbol_type(const Line& l) const {
    return l.index < name_lists.size() ? &name_lists[l.index] : nullptr;
  }
  // An Ins line for `i`.
  Line add(const Instr& i) {
    Line l;
    l.kind = Line::Kind::Ins;
    l.index = static_cast<uint32_t>(instrs.size());
    instrs.push_back(i);
    return l;
  }
  // A Section line.
  Line add_section(std::span<const std::string_view> names, std::optional<std::string_view> flags,
                   std::span<const std::string_view> args) {
    Line l;
    l.kind = Line::Kind::Section;
    l.index = static_cast<uint32_t>(sections.size());
    SectionSpec s;
    s.names = add_names(names);
    s.flags = flags;
    s.args = add_names(args);
    sections.push_back(s);
    return l;
  }
  // A Loc line.
  Line add_loc(int64_t file, int64_t line, int64_t column) {
    Line l;
    l.kind = Line::Kind::Loc;
    l.n = file;
    l.index = static_cast<uint32_t>(locs.size());
    locs.push_back(LocSpec{line, column});
    return l;
  }
  // A Type line (`.type symbol, type`).
  Line add_type(std::string_view symbol, std::string_view type) {
    Line l;
    l.kind = Line::Kind::Type;
    l.text = symbol;
    l.index = static_cast<uint32_t>(name_lists.size());
    name_lists.push_back(type);
    return l;
  }
  std::span<const std::string_view> names(NameList l) const {
    return {name_lists.data() + l.first, l.count};
  }
  NameList add_names(std::span<const std::string_view> names) {
    NameList l{static_cast<uint32_t>(name_lists.size()), static_cast<uint32_t>(names.size())};
    name_lists.insert(name_lists.end(), names.begin(), names.end());
    return l;
  }
  // A copy of `s` that lives as long as the Program.
  std::string_view keep(std::string_view s) { return text.emplace_back(s); }
  // An Add or Sub of two constants.
  Constant combine(Constant::Kind kind, const Constant& a, const Constant& b) {
    Constant c;
    c.kind = kind;
    c.lhs = &operands.push_back(a);
    c.rhs = &operands.push_back(b);
    return c;
  }
  // Empty, keeping the capacity of the pools (a long-lived Program decodes unit after unit).
  void clear() {
    lines.clear();
    instrs.clear();
    sections.clear();
    locs.clear();
    operands.clear();
    name_lists.clear();
    text.clear();
  }
};

}  // namespace ocamljit::ir
