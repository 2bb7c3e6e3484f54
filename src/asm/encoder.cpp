// Table-driven x86-64 encoder. Each ir::Op has an ordered list of opcode
// forms; the first form whose operand patterns match is used, so the order
// of the forms reproduces GNU as's preferences (imm8 before imm32, the
// accumulator short forms, the shift-by-one form, ...).
#include "asm/encoder.hpp"
#include "ir/register_names.hpp"

#include <array>
#include <cstring>
#include <optional>

namespace ocamljit::assembler {
namespace {

// make_error out of line: the encoder's error messages are built in their
// own cold code, not in the paths of the instructions that encode.
template <class... Parts>
[[gnu::cold, gnu::noinline]] Error encode_error(const Parts&... parts) {
  return make_error(parts...);
}

// Operand sizes a form accepts (bit mask).
constexpr uint8_t S8 = 1, S16 = 2, S32 = 4, S64 = 8;
constexpr uint8_t S_ANY = S16 | S32 | S64;

// Operand patterns.
enum class P : uint8_t {
  None,
  Reg,    // general register of the operand size
  RM,     // general register or memory of the operand size
  Mem,    // memory only
  Acc,    // al/ax/eax/rax
  Imm,    // immediate of the form's immediate width (or a symbol)
  Imm8s,  // immediate fitting a sign-extended byte
  One,    // $1
  CL,     // %cl
  Xmm,
  XmmM,   // xmm register or memory
  RM8,    // 8-bit register or memory, whatever the operand size (movzx/movsx)
  RM16,   // 16-bit register or memory (movzx/movsx)
  RM32,   // 32-bit register or memory (movsxd)
  Reg64,  // 64-bit register (call/jmp through a register)
  RM64,   // 64-bit register or memory, no REX.W (push/pop/call/jmp)
};

// Where the form puts its register operands.
constexpr int8_t NONE = -1;
enum Imm : uint8_t { I0 = 0, IB = 1, IW = 2, ID = 4, IQ = 8, IZ = 3 /* 2 or 4 by size */ };
enum Flags : uint8_t { F_NONE = 0, F_NO_W = 1 /* operand size 64 without REX.W */ };

struct Form {
  ir::Op op;
  uint8_t sizes;      // 0: the form has no general-purpose operand size
  P a, b;             // operands, AT&T order (source first)
  uint8_t prefix;     // mandatory prefix (SSE) or 0
  uint8_t opc[3];
  uint8_t opc_len;
  int8_t digit;       // ModRM.reg digit, or NONE
  int8_t reg_op;      // operand index in ModRM.reg, or NONE
  int8_t rm_op;       // operand index in ModRM.rm, or NONE
  int8_t plus_op;     // operand index added to the opcode's low bits, or NONE
  Imm imm;
  uint8_t flags;
};

using Op = ir::Op;

// Builders for the common shapes.
Form f1(Op op, uint8_t sizes, P a, P b, std::initializer_list<uint8_t> opc, int8_t digit,
        int8_t reg_op, int8_t rm_op, Imm imm = I0, uint8_t prefix = 0, int8_t plus_op = NONE,
        uint8_t flags = F_NONE) {
  Form f{};
  f.op = op;
  f.sizes = sizes;
  f.a = a;
  f.b = b;
  f.prefix = prefix;
  f.opc_len = 0;
  for (uint8_t byte : opc) f.opc[f.opc_len++] = byte;
  f.digit = digit;
  f.reg_op = reg_op;
  f.rm_op = rm_op;
  f.plus_op = plus_op;
  f.imm = imm;
  f.flags = flags;
  return f;
}

// The eight classic ALU operations: `base` is the opcode of `op r/m8, r8`.
void alu(std::vector<Form>& t, Op op, uint8_t base, int8_t digit) {
  t.push_back(f1(op, S8, P::Imm, P::Acc, {uint8_t(base + 4)}, NONE, NONE, NONE, IB));
  t.push_back(f1(op, S8, P::Imm, P::RM, {0x80}, digit, NONE, 1, IB));
  t.push_back(f1(op, S_ANY, P::Imm8s, P::RM, {0x83}, digit, NONE, 1, IB));
  t.push_back(f1(op, S_ANY, P::Imm, P::Acc, {uint8_t(base + 5)}, NONE, NONE, NONE, IZ));
  t.push_back(f1(op, S_ANY, P::Imm, P::RM, {0x81}, digit, NONE, 1, IZ));
  t.push_back(f1(op, S8, P::Reg, P::RM, {base}, NONE, 0, 1));
  t.push_back(f1(op, S_ANY, P::Reg, P::RM, {uint8_t(base + 1)}, NONE, 0, 1));
  t.push_back(f1(op, S8, P::Mem, P::Reg, {uint8_t(base + 2)}, NONE, 1, 0));
  t.push_back(f1(op, S_ANY, P::Mem, P::Reg, {uint8_t(base + 3)}, NONE, 1, 0));
}

void shift(std::vector<Form>& t, Op op, int8_t digit) {
  t.push_back(f1(op, S8, P::One, P::RM, {0xD0}, digit, NONE, 1));
  t.push_back(f1(op, S_ANY, P::One, P::RM, {0xD1}, digit, NONE, 1));
  t.push_back(f1(op, S8, P::CL, P::RM, {0xD2}, digit, NONE, 1));
  t.push_back(f1(op, S_ANY, P::CL, P::RM, {0xD3}, digit, NONE, 1));
  t.push_back(f1(op, S8, P::Imm, P::RM, {0xC0}, digit, NONE, 1, IB));
  t.push_back(f1(op, S_ANY, P::Imm, P::RM, {0xC1}, digit, NONE, 1, IB));
}

// Unary group 3/4/5 operations: `op r/m`.
void unary(std::vector<Form>& t, Op op, uint8_t opc8, uint8_t opc, int8_t digit) {
  t.push_back(f1(op, S8, P::RM, P::None, {opc8}, digit, NONE, 0));
  t.push_back(f1(op, S_ANY, P::RM, P::None, {opc}, digit, NONE, 0));
}

// SSE `op xmm/m, xmm` with a mandatory prefix.
void sse(std::vector<Form>& t, Op op, uint8_t prefix, std::initializer_list<uint8_t> opc) {
  t.push_back(f1(op, 0, P::XmmM, P::Xmm, opc, NONE, 1, 0, I0, prefix));
}

// SSE moves: load form (xmm/m -> xmm) first, as GNU as uses it for
// register-to-register moves, then the store form.
void sse_mov(std::vector<Form>& t, Op op, uint8_t prefix, uint8_t load, uint8_t store,
             P load_src = P::XmmM) {
  t.push_back(f1(op, 0, load_src, P::Xmm, {0x0F, load}, NONE, 1, 0, I0, prefix));
  t.push_back(f1(op, 0, P::Xmm, P::Mem, {0x0F, store}, NONE, 0, 1, I0, prefix));
}

std::vector<Form> build_table() {
  std::vector<Form> t;
  alu(t, Op::ADD, 0x00, 0);
  alu(t, Op::OR, 0x08, 1);
  alu(t, Op::AND, 0x20, 4);
  alu(t, Op::SUB, 0x28, 5);
  alu(t, Op::XOR, 0x30, 6);
  alu(t, Op::CMP, 0x38, 7);
  shift(t, Op::SAL, 4);
  shift(t, Op::SHR, 5);
  shift(t, Op::SAR, 7);

  // mov: stores and register moves use 88/89, loads 8A/8B. With an
  // immediate, 32-bit registers take B8+r, 64-bit ones C7 /0 (imm32
  // sign-extended) and only out-of-range values the 10-byte movabs.
  t.push_back(f1(Op::MOV, S8, P::Reg, P::RM, {0x88}, NONE, 0, 1));
  t.push_back(f1(Op::MOV, S_ANY, P::Reg, P::RM, {0x89}, NONE, 0, 1));
  t.push_back(f1(Op::MOV, S8, P::Mem, P::Reg, {0x8A}, NONE, 1, 0));
  t.push_back(f1(Op::MOV, S_ANY, P::Mem, P::Reg, {0x8B}, NONE, 1, 0));
  t.push_back(f1(Op::MOV, S8, P::Imm, P::Reg, {0xB0}, NONE, NONE, NONE, IB, 0, 1));
  t.push_back(f1(Op::MOV, S16 | S32, P::Imm, P::Reg, {0xB8}, NONE, NONE, NONE, IZ, 0, 1));
  t.push_back(f1(Op::MOV, S8, P::Imm, P::Mem, {0xC6}, 0, NONE, 1, IB));
  t.push_back(f1(Op::MOV, S_ANY, P::Imm, P::RM, {0xC7}, 0, NONE, 1, IZ));
  t.push_back(f1(Op::MOV, S64, P::Imm, P::Reg, {0xB8}, NONE, NONE, NONE, IQ, 0, 1));

  // test has no sign-extended imm8 form.
  t.push_back(f1(Op::TEST, S8, P::Imm, P::Acc, {0xA8}, NONE, NONE, NONE, IB));
  t.push_back(f1(Op::TEST, S_ANY, P::Imm, P::Acc, {0xA9}, NONE, NONE, NONE, IZ));
  t.push_back(f1(Op::TEST, S8, P::Imm, P::RM, {0xF6}, 0, NONE, 1, IB));
  t.push_back(f1(Op::TEST, S_ANY, P::Imm, P::RM, {0xF7}, 0, NONE, 1, IZ));
  t.push_back(f1(Op::TEST, S8, P::Reg, P::RM, {0x84}, NONE, 0, 1));
  t.push_back(f1(Op::TEST, S_ANY, P::Reg, P::RM, {0x85}, NONE, 0, 1));
  t.push_back(f1(Op::TEST, S8, P::Mem, P::Reg, {0x84}, NONE, 1, 0));
  t.push_back(f1(Op::TEST, S_ANY, P::Mem, P::Reg, {0x85}, NONE, 1, 0));

  // xchg with the accumulator (not eax with itself, which would be nop).
  t.push_back(f1(Op::XCHG, S_ANY, P::Reg, P::Acc, {0x90}, NONE, NONE, NONE, I0, 0, 0));
  t.push_back(f1(Op::XCHG, S_ANY, P::Acc, P::Reg, {0x90}, NONE, NONE, NONE, I0, 0, 1));
  t.push_back(f1(Op::XCHG, S8, P::Reg, P::RM, {0x86}, NONE, 0, 1));
  t.push_back(f1(Op::XCHG, S_ANY, P::Reg, P::RM, {0x87}, NONE, 0, 1));
  t.push_back(f1(Op::XCHG, S8, P::Mem, P::Reg, {0x86}, NONE, 1, 0));
  t.push_back(f1(Op::XCHG, S_ANY, P::Mem, P::Reg, {0x87}, NONE, 1, 0));

  t.push_back(f1(Op::LEA, S_ANY, P::Mem, P::Reg, {0x8D}, NONE, 1, 0));

  unary(t, Op::NEG, 0xF6, 0xF7, 3);
  unary(t, Op::IDIV, 0xF6, 0xF7, 7);
  unary(t, Op::INC, 0xFE, 0xFF, 0);
  unary(t, Op::DEC, 0xFE, 0xFF, 1);
  unary(t, Op::IMUL, 0xF6, 0xF7, 5);
  t.push_back(f1(Op::IMUL, S_ANY, P::Imm8s, P::Reg, {0x6B}, NONE, 1, 1, IB));
  t.push_back(f1(Op::IMUL, S_ANY, P::Imm, P::Reg, {0x69}, NONE, 1, 1, IZ));
  t.push_back(f1(Op::IMUL, S_ANY, P::RM, P::Reg, {0x0F, 0xAF}, NONE, 1, 0));

  t.push_back(f1(Op::PUSH, S64, P::Reg, P::None, {0x50}, NONE, NONE, NONE, I0, 0, 0, F_NO_W));
  t.push_back(f1(Op::PUSH, S16, P::Reg, P::None, {0x50}, NONE, NONE, NONE, I0, 0, 0));
  t.push_back(f1(Op::PUSH, S64, P::Mem, P::None, {0xFF}, 6, NONE, 0, I0, 0, NONE, F_NO_W));
  t.push_back(f1(Op::PUSH, S64, P::Imm8s, P::None, {0x6A}, NONE, NONE, NONE, IB, 0, NONE, F_NO_W));
  t.push_back(f1(Op::PUSH, S64, P::Imm, P::None, {0x68}, NONE, NONE, NONE, ID, 0, NONE, F_NO_W));
  t.push_back(f1(Op::POP, S64, P::Reg, P::None, {0x58}, NONE, NONE, NONE, I0, 0, 0, F_NO_W));
  t.push_back(f1(Op::POP, S16, P::Reg, P::None, {0x58}, NONE, NONE, NONE, I0, 0, 0));
  t.push_back(f1(Op::POP, S64, P::Mem, P::None, {0x8F}, 0, NONE, 0, I0, 0, NONE, F_NO_W));

  t.push_back(f1(Op::CALL, S64, P::RM64, P::None, {0xFF}, 2, NONE, 0, I0, 0, NONE, F_NO_W));
  t.push_back(f1(Op::JMP, S64, P::RM64, P::None, {0xFF}, 4, NONE, 0, I0, 0, NONE, F_NO_W));

  t.push_back(f1(Op::SET, S8, P::RM, P::None, {0x0F, 0x90}, 0, NONE, 0));
  t.push_back(f1(Op::CMOV, S_ANY, P::RM, P::Reg, {0x0F, 0x40}, NONE, 1, 0));
  t.push_back(f1(Op::BSWAP, S32 | S64, P::Reg, P::None, {0x0F, 0xC8}, NONE, NONE, NONE, I0, 0, 0));

  t.push_back(f1(Op::MOVZX, S_ANY, P::RM8, P::Reg, {0x0F, 0xB6}, NONE, 1, 0));
  t.push_back(f1(Op::MOVZX, S32 | S64, P::RM16, P::Reg, {0x0F, 0xB7}, NONE, 1, 0));
  t.push_back(f1(Op::MOVSX, S_ANY, P::RM8, P::Reg, {0x0F, 0xBE}, NONE, 1, 0));
  t.push_back(f1(Op::MOVSX, S32 | S64, P::RM16, P::Reg, {0x0F, 0xBF}, NONE, 1, 0));
  t.push_back(f1(Op::MOVSXD, S64, P::RM32, P::Reg, {0x63}, NONE, 1, 0));

  t.push_back(f1(Op::CQO, S64, P::None, P::None, {0x99}, NONE, NONE, NONE));
  t.push_back(f1(Op::CDQ, 0, P::None, P::None, {0x99}, NONE, NONE, NONE));
  t.push_back(f1(Op::RET, 0, P::None, P::None, {0xC3}, NONE, NONE, NONE));
  t.push_back(f1(Op::NOP, 0, P::None, P::None, {0x90}, NONE, NONE, NONE));
  t.push_back(f1(Op::HLT, 0, P::None, P::None, {0xF4}, NONE, NONE, NONE));
  t.push_back(f1(Op::LEAVE, 0, P::None, P::None, {0xC9}, NONE, NONE, NONE));

  sse(t, Op::ADDSD, 0xF2, {0x0F, 0x58});
  sse(t, Op::SUBSD, 0xF2, {0x0F, 0x5C});
  sse(t, Op::MULSD, 0xF2, {0x0F, 0x59});
  sse(t, Op::DIVSD, 0xF2, {0x0F, 0x5E});
  sse(t, Op::SQRTSD, 0xF2, {0x0F, 0x51});
  sse(t, Op::ANDPD, 0x66, {0x0F, 0x54});
  sse(t, Op::XORPD, 0x66, {0x0F, 0x57});
  sse(t, Op::COMISD, 0x66, {0x0F, 0x2F});
  sse(t, Op::UCOMISD, 0x66, {0x0F, 0x2E});
  sse(t, Op::CVTSD2SS, 0xF2, {0x0F, 0x5A});
  sse(t, Op::CVTSS2SD, 0xF3, {0x0F, 0x5A});
  sse_mov(t, Op::MOVAPD, 0x66, 0x28, 0x29);
  sse_mov(t, Op::MOVSD, 0xF2, 0x10, 0x11);
  sse_mov(t, Op::MOVSS, 0xF3, 0x10, 0x11);
  sse_mov(t, Op::MOVLPD, 0x66, 0x12, 0x13, P::Mem);
  // Conversions between general registers and xmm: REX.W from the
  // general operand's size.
  t.push_back(f1(Op::CVTSI2SD, S32 | S64, P::RM, P::Xmm, {0x0F, 0x2A}, NONE, 1, 0, I0, 0xF2));
  t.push_back(f1(Op::CVTSD2SI, S32 | S64, P::XmmM, P::Reg, {0x0F, 0x2D}, NONE, 1, 0, I0, 0xF2));
  t.push_back(f1(Op::CVTTSD2SI, S32 | S64, P::XmmM, P::Reg, {0x0F, 0x2C}, NONE, 1, 0, I0, 0xF2));
  // roundsd: the rounding mode is the instruction's own immediate.
  t.push_back(f1(Op::ROUNDSD, 0, P::XmmM, P::Xmm, {0x0F, 0x3A, 0x0B}, NONE, 1, 0, IB, 0x66));

  return t;
}

// Forms grouped by op, in table order.
struct Index {
  std::vector<Form> forms;
  std::array<std::vector<uint16_t>, 128> by_op;
  // Per form: its arity, and per operand the operand kinds its pattern can
  // accept (bits of Operand::K), a necessary condition of `matches` checked
  // first: most forms of an op are ruled out without computing a size.
  std::vector<uint8_t> arity;
  std::vector<std::array<uint8_t, 2>> kinds;
};

// Operand::K as bits (Reg, Xmm, Mem, Imm, SymImm, in that order).
constexpr uint8_t kReg = 1, kXmm = 2, kMem = 4, kImm = 8, kSymImm = 16;

// The operand kinds pattern `p` can match (see `matches`).
uint8_t accepted_kinds(P p) {
  switch (p) {
    case P::None: return 0;
    case P::Reg: case P::Acc: case P::CL: case P::Reg64: return kReg;
    case P::RM: case P::RM8: case P::RM16: case P::RM32: case P::RM64: return kReg | kMem;
    case P::Mem: return kMem;
    case P::Imm: return kImm | kSymImm;
    case P::Imm8s: case P::One: return kImm;
    case P::Xmm: return kXmm;
    case P::XmmM: return kXmm | kMem;
  }
  return 0xFF;
}

const Index& index() {
  static const Index idx = [] {
    Index i;
    i.forms = build_table();
    for (size_t k = 0; k < i.forms.size(); ++k) {
      const Form& f = i.forms[k];
      i.by_op[static_cast<size_t>(f.op)].push_back(static_cast<uint16_t>(k));
      i.arity.push_back(static_cast<uint8_t>((f.a != P::None) + (f.b != P::None)));
      i.kinds.push_back({accepted_kinds(f.a), accepted_kinds(f.b)});
    }
    return i;
  }();
  return idx;
}

// X86_ast's register order to hardware numbers.
constexpr uint8_t kHw[16] = {0, 3, 1, 2, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
constexpr uint8_t kHw8H[4] = {4, 7, 5, 6};  // ah, bh, ch, dh

struct Operand {
  enum class K : uint8_t { Reg, Xmm, Mem, Imm, SymImm } k = K::Imm;
  uint8_t size = 0;          // Reg: 8/16/32/64; Mem: from its data type (0: unknown)
  uint8_t reg = 0;           // hardware number
  bool byte_rex = false;     // spl/bpl/sil/dil: need a REX prefix
  bool high8 = false;        // ah/bh/ch/dh: forbid a REX prefix
  // memory
  bool rip = false;
  int base = -1, index = -1, scale = 1;
  int64_t disp = 0;
  std::string_view sym;      // displacement symbol or immediate symbol, with suffix
  int64_t imm = 0;
};

uint8_t mem_size(ir::DataType t) {
  switch (t) {
    case ir::DataType::Byte: return 8;
    case ir::DataType::Word: return 16;
    case ir::DataType::Dword: return 32;
    case ir::DataType::Real8: return 32;  // X86_gas prints the "l" suffix for REAL8
    case ir::DataType::Qword: return 64;
    default: return 0;
  }
}

// Fills `o` (default-constructed by the caller): an out-parameter, not a
// Result<Operand>, which would copy the operand through a variant.
Status classify(const ir::Arg& a, Operand& o) {
  switch (a.kind) {
    case ir::Arg::Kind::Imm: o.k = Operand::K::Imm; o.imm = a.imm; return ok_status();
    case ir::Arg::Kind::Sym: o.k = Operand::K::SymImm; o.sym = a.sym; return ok_status();
    case ir::Arg::Kind::Reg8L:
      o.k = Operand::K::Reg; o.size = 8; o.reg = kHw[static_cast<int>(a.reg) & 15];
      o.byte_rex = o.reg >= 4 && o.reg < 8;
      return ok_status();
    case ir::Arg::Kind::Reg8H:
      o.k = Operand::K::Reg; o.size = 8; o.reg = kHw8H[static_cast<int>(a.reg8h) & 3];
      o.high8 = true;
      return ok_status();
    case ir::Arg::Kind::Reg16: o.k = Operand::K::Reg; o.size = 16; o.reg = kHw[static_cast<int>(a.reg) & 15]; return ok_status();
    case ir::Arg::Kind::Reg32: o.k = Operand::K::Reg; o.size = 32; o.reg = kHw[static_cast<int>(a.reg) & 15]; return ok_status();
    case ir::Arg::Kind::Reg64: o.k = Operand::K::Reg; o.size = 64; o.reg = kHw[static_cast<int>(a.reg) & 15]; return ok_status();
    case ir::Arg::Kind::Xmm:
      if (a.xmm < 0 || a.xmm > 15) return encode_error("xmm register ", a.xmm, " out of range");
      o.k = Operand::K::Xmm; o.reg = static_cast<uint8_t>(a.xmm); return ok_status();
    case ir::Arg::Kind::Tos:
    case ir::Arg::Kind::St:
      return encode_error("x87 register operand (the amd64 backend never emits x87 code)");
    case ir::Arg::Kind::Mem: {
      const ir::Mem& m = a.mem;
      if (m.arch != ir::Arch::X64) return encode_error("32-bit addressing mode");
      o.k = Operand::K::Mem;
      o.size = mem_size(m.type);
      o.disp = m.displ;
      if (m.sym) o.sym = *m.sym;
      if (m.scale == 0) {
        // Only displ + sym: an absolute address.
      } else if (!m.base && m.scale == 1) {
        // X86_gas prints "(%idx)", which GNU as reads as a base register.
        o.base = kHw[static_cast<int>(m.idx) & 15];
      } else {
        if (m.scale != 1 && m.scale != 2 && m.scale != 4 && m.scale != 8)
          return encode_error("scale ", m.scale, " not in {1,2,4,8}");
        if (m.base) o.base = kHw[static_cast<int>(*m.base) & 15];
        o.index = kHw[static_cast<int>(m.idx) & 15];
        o.scale = m.scale;
        if (o.index == 4) return encode_error("%rsp cannot be an index register");
      }
      return ok_status();
    }
    case ir::Arg::Kind::MemRip:
      o.k = Operand::K::Mem;
      o.rip = true;
      o.size = mem_size(a.rip_type);
      o.sym = a.sym;
      o.disp = a.displ;
      return ok_status();
  }
  return encode_error("unknown operand kind");
}

bool fits_s8(int64_t v) { return v >= -128 && v <= 127; }
bool fits_s32(int64_t v) { return v >= INT32_MIN && v <= INT32_MAX; }

uint8_t size_bit(uint8_t size) {
  switch (size) {
    case 8: return S8;
    case 16: return S16;
    case 32: return S32;
    case 64: return S64;
    default: return 0;
  }
}

int imm_width(const Form& f, uint8_t size) {
  if (f.imm == IZ) return size == 16 ? 2 : 4;
  return f.imm;
}

bool imm_fits(int64_t v, int width, uint8_t size) {
  switch (width) {
    case 1: return v >= -128 && v <= 255;
    case 2: return v >= -32768 && v <= 65535;
    case 4: return size == 64 ? fits_s32(v) : (v >= INT32_MIN && v <= int64_t(UINT32_MAX));
    case 8: return true;
    default: return false;
  }
}

// Does operand `o` match pattern `p` for a form of operand size `size`?
bool matches(P p, const Operand& o, uint8_t size, const Form& f) {
  using K = Operand::K;
  switch (p) {
    case P::None: return false;
    case P::Reg: return o.k == K::Reg && o.size == size;
    case P::RM: return (o.k == K::Reg && o.size == size) || o.k == K::Mem;
    case P::Mem: return o.k == K::Mem;
    case P::Acc: return o.k == K::Reg && o.size == size && o.reg == 0 && !o.high8;
    case P::Imm:
      if (o.k == K::SymImm) return imm_width(f, size) >= 4 || f.imm == IB;
      return o.k == K::Imm && imm_fits(o.imm, imm_width(f, size), size);
    case P::Imm8s: return o.k == K::Imm && fits_s8(o.imm);
    case P::One: return o.k == K::Imm && o.imm == 1;
    case P::CL: return o.k == K::Reg && o.size == 8 && o.reg == 1 && !o.high8;
    case P::Xmm: return o.k == K::Xmm;
    case P::XmmM: return o.k == K::Xmm || o.k == K::Mem;
    case P::RM8: return (o.k == K::Reg && o.size == 8) || (o.k == K::Mem && o.size == 8);
    case P::RM16: return (o.k == K::Reg && o.size == 16) || (o.k == K::Mem && o.size == 16);
    case P::RM32: return (o.k == K::Reg && o.size == 32) || o.k == K::Mem;
    case P::Reg64: return o.k == K::Reg && o.size == 64;
    case P::RM64: return (o.k == K::Reg && o.size == 64) || o.k == K::Mem;
  }
  return false;
}

// Patterns whose operand carries the instruction's operand size.
bool sized(P p) { return p == P::Reg || p == P::RM || p == P::Mem || p == P::Acc; }

// The operand size of `ops` for form `f`: registers decide; a memory
// operand's data type only when no register does (as X86_gas's suffix).
std::optional<uint8_t> operand_size(const Form& f, const Operand* ops, size_t n) {
  if (f.sizes == 0) return uint8_t{0};
  const P pats[2] = {f.a, f.b};
  uint8_t size = 0;
  for (size_t k = 0; k < n; ++k) {
    if (!sized(pats[k])) continue;
    if (ops[k].k == Operand::K::Reg) {
      if (size != 0 && size != ops[k].size) return std::nullopt;
      size = ops[k].size;
    }
  }
  if (size == 0) {
    for (size_t k = 0; k < n; ++k)
      if (sized(pats[k]) && ops[k].k == Operand::K::Mem && ops[k].size != 0) size = ops[k].size;
  }
  if (size == 0) {
    // Forms without any sized operand (movzx's destination is a register,
    // so this is push/pop/call/jmp through memory and imm pushes).
    if (f.sizes == S64) return uint8_t{64};
    return std::nullopt;
  }
  return size;
}

struct Writer {
  Encoded& out;
  Status err = ok_status();
  bool overflow = false;
  void byte(uint8_t b) {
    if (out.length >= sizeof out.bytes) { overflow = true; return; }
    out.bytes[out.length++] = b;
  }
  void le(uint64_t v, int n) {
    for (int k = 0; k < n; ++k) byte(static_cast<uint8_t>(v >> (8 * k)));
  }
};

Fixup::Variant variant_of(std::string_view sym, std::string_view& base) {
  auto [b, v] = split_symbol_suffix(sym);
  base = b;
  return v;
}

Status encode_with(const Form& f, const Operand* ops, size_t n, uint8_t size, uint8_t cc,
                   const ir::Instr& ins, Encoded& out) {
  Writer w{out};
  out.length = 0;
  out.fixups.clear();
  const Operand* reg_o = f.reg_op >= 0 ? &ops[f.reg_op] : nullptr;
  const Operand* rm_o = f.rm_op >= 0 ? &ops[f.rm_op] : nullptr;
  const Operand* plus_o = f.plus_op >= 0 ? &ops[f.plus_op] : nullptr;
  const Operand* imm_o = nullptr;
  for (size_t k = 0; k < n; ++k)
    if (ops[k].k == Operand::K::Imm || ops[k].k == Operand::K::SymImm) imm_o = &ops[k];
  // Shift-by-one and shift-by-cl carry their count in the opcode.
  if (f.a == P::One || f.a == P::CL) imm_o = nullptr;

  // ROUNDSD's immediate is its rounding mode.
  Operand round_imm;
  if (ins.op == Op::ROUNDSD) {
    round_imm.k = Operand::K::Imm;
    switch (ins.rounding) {
      case ir::Rounding::Nearest: round_imm.imm = 0; break;
      case ir::Rounding::Down: round_imm.imm = 1; break;
      case ir::Rounding::Up: round_imm.imm = 2; break;
      case ir::Rounding::Truncate: round_imm.imm = 3; break;
    }
    imm_o = &round_imm;
  }

  uint8_t rex = 0;
  if (size == 64 && !(f.flags & F_NO_W)) rex |= 0x48;
  if (reg_o && reg_o->reg >= 8) rex |= 0x44;
  if (plus_o && plus_o->reg >= 8) rex |= 0x41;
  if (rm_o) {
    if (rm_o->k == Operand::K::Mem) {
      if (rm_o->base >= 8) rex |= 0x41;
      if (rm_o->index >= 8) rex |= 0x42;
    } else if (rm_o->reg >= 8) {
      rex |= 0x41;
    }
  }
  bool need_byte_rex = false, has_high8 = false;
  for (size_t k = 0; k < n; ++k) {
    if (ops[k].k != Operand::K::Reg) continue;
    need_byte_rex |= ops[k].byte_rex;
    has_high8 |= ops[k].high8;
  }
  if (need_byte_rex) rex |= 0x40;
  if (rex && has_high8) return encode_error("%ah/%bh/%ch/%dh cannot be used with a REX prefix");

  if (size == 16) w.byte(0x66);
  if (f.prefix && !(size == 16 && f.prefix == 0x66)) w.byte(f.prefix);
  if (rex) w.byte(rex);
  for (uint8_t k = 0; k < f.opc_len; ++k) {
    uint8_t b = f.opc[k];
    if (k + 1 == f.opc_len) {
      if (ins.op == Op::SET || ins.op == Op::CMOV) b = static_cast<uint8_t>(b + cc);
      if (plus_o) b = static_cast<uint8_t>(b + (plus_o->reg & 7));
    }
    w.byte(b);
  }

  int immw = imm_o ? (ins.op == Op::ROUNDSD ? 1 : imm_width(f, size)) : 0;
  if (rm_o) {
    uint8_t regfield = static_cast<uint8_t>(f.digit >= 0 ? f.digit : (reg_o->reg & 7));
    if (rm_o->k != Operand::K::Mem) {
      w.byte(static_cast<uint8_t>(0xC0 | (regfield << 3) | (rm_o->reg & 7)));
    } else {
      const Operand& m = *rm_o;
      std::string_view base_sym;
      Fixup::Variant v = Fixup::Variant::None;
      if (!m.sym.empty()) v = variant_of(m.sym, base_sym);
      if (!fits_s32(m.disp)) return encode_error("displacement ", m.disp, " does not fit in 32 bits");
      int disp_size = 0;
      uint8_t mod = 0, rm = 0;
      bool sib = false;
      uint8_t sib_byte = 0;
      if (m.rip) {
        mod = 0; rm = 5; disp_size = 4;
      } else if (m.base < 0) {
        mod = 0; rm = 4; sib = true; disp_size = 4;
        uint8_t idx = m.index < 0 ? 4 : static_cast<uint8_t>(m.index & 7);
        uint8_t ss = m.index < 0 ? 0 : static_cast<uint8_t>(m.scale == 1 ? 0 : m.scale == 2 ? 1 : m.scale == 4 ? 2 : 3);
        sib_byte = static_cast<uint8_t>((ss << 6) | (idx << 3) | 5);
      } else {
        if (!m.sym.empty()) disp_size = 4;
        else if (m.disp == 0 && (m.base & 7) != 5) disp_size = 0;
        else if (fits_s8(m.disp)) disp_size = 1;
        else disp_size = 4;
        mod = disp_size == 0 ? 0 : disp_size == 1 ? 1 : 2;
        if (m.index >= 0 || (m.base & 7) == 4) {
          sib = true; rm = 4;
          uint8_t idx = m.index < 0 ? 4 : static_cast<uint8_t>(m.index & 7);
          uint8_t ss = m.index < 0 ? 0 : static_cast<uint8_t>(m.scale == 1 ? 0 : m.scale == 2 ? 1 : m.scale == 4 ? 2 : 3);
          sib_byte = static_cast<uint8_t>((ss << 6) | (idx << 3) | (m.base & 7));
        } else {
          rm = static_cast<uint8_t>(m.base & 7);
        }
      }
      w.byte(static_cast<uint8_t>((mod << 6) | (regfield << 3) | rm));
      if (sib) w.byte(sib_byte);
      if (!m.sym.empty()) {
        Fixup fx;
        fx.offset = out.length;
        fx.size = 4;
        fx.pcrel = m.rip;
        fx.variant = v;
        fx.symbol = base_sym;
        fx.has_rex = rex != 0;
        fx.offset_expr = m.rip ? m.disp - immw : m.disp;
        // GNU as uses an unsigned 32-bit displacement for lea with a
        // 16/32-bit destination (the address is truncated anyway).
        fx.signed32 = !m.rip && !(ins.op == Op::LEA && size != 64);
        if (v == Fixup::Variant::Plt) return encode_error("@PLT in a memory operand");
        if (v == Fixup::Variant::GotPcrel) {
          if (!m.rip) return encode_error("@GOTPCREL needs a %rip-relative operand");
          uint8_t op0 = f.opc[f.opc_len - 1];
          bool binop = f.opc_len == 1 && (op0 & 0xC7) == 0x03;
          fx.relaxable_got = (f.opc_len == 1 && (op0 == 0x8B || op0 == 0x85 || binop)) ||
                             (f.opc_len == 1 && op0 == 0xFF && (f.digit == 2 || f.digit == 4));
        }
        out.fixups.push_back(std::move(fx));
        w.le(0, 4);
      } else {
        w.le(static_cast<uint64_t>(m.disp), disp_size);
      }
    }
  }
  if (imm_o) {
    if (imm_o->k == Operand::K::SymImm) {
      Fixup fx;
      std::string_view base_sym;
      fx.variant = variant_of(imm_o->sym, base_sym);
      if (fx.variant != Fixup::Variant::None) return encode_error("@PLT/@GOTPCREL in an immediate");
      fx.symbol = base_sym;
      fx.offset = out.length;
      fx.size = static_cast<uint8_t>(immw);
      fx.signed32 = size == 64 && immw == 4;
      out.fixups.push_back(std::move(fx));
      w.le(0, immw);
    } else {
      w.le(static_cast<uint64_t>(imm_o->imm), immw);
    }
  }
  if (w.overflow) return encode_error("instruction longer than 15 bytes");
  return ok_status();
}

}  // namespace

uint8_t cond_code(ir::Cond c) {
  switch (c) {
    case ir::Cond::O: return 0x0;
    case ir::Cond::NO: return 0x1;
    case ir::Cond::B: return 0x2;
    case ir::Cond::AE: return 0x3;
    case ir::Cond::E: return 0x4;
    case ir::Cond::NE: return 0x5;
    case ir::Cond::BE: return 0x6;
    case ir::Cond::A: return 0x7;
    case ir::Cond::S: return 0x8;
    case ir::Cond::NS: return 0x9;
    case ir::Cond::P: return 0xA;
    case ir::Cond::NP: return 0xB;
    case ir::Cond::L: return 0xC;
    case ir::Cond::GE: return 0xD;
    case ir::Cond::LE: return 0xE;
    case ir::Cond::G: return 0xF;
  }
  return 0;
}

std::pair<std::string_view, Fixup::Variant> split_symbol_suffix(std::string_view sym) {
  auto ends = [&](std::string_view suffix) {
    return sym.size() > suffix.size() && sym.ends_with(suffix);
  };
  if (ends("@PLT")) return {sym.substr(0, sym.size() - 4), Fixup::Variant::Plt};
  if (ends("@GOTPCREL")) return {sym.substr(0, sym.size() - 9), Fixup::Variant::GotPcrel};
  return {sym, Fixup::Variant::None};
}

BranchTarget branch_target(const ir::Instr& ins) {
  BranchTarget bt;
  if ((ins.op != Op::J && ins.op != Op::JMP) || ins.args.size() != 1 ||
      ins.args[0].kind != ir::Arg::Kind::Sym)
    return bt;
  bt.is_branch = true;
  bt.conditional = ins.op == Op::J;
  bt.cond = cond_code(ins.cond);
  auto [base, v] = split_symbol_suffix(ins.args[0].sym);
  bt.symbol = base;
  bt.plt = v == Fixup::Variant::Plt;
  return bt;
}

Status encode(const ir::Instr& ins, Encoded& out) {
  const size_t n = ins.args.size();
  if (n > 2) return encode_error("too many operands");
  if (static_cast<size_t>(ins.op) >= 128) return encode_error("unknown opcode");

  // Direct calls (always rel32; GNU as never shortens a call).
  if (ins.op == Op::CALL && n == 1 && ins.args[0].kind == ir::Arg::Kind::Sym) {
    out.length = 0;
    out.fixups.clear();
    out.bytes[out.length++] = 0xE8;
    Fixup fx;
    fx.offset = 1;
    fx.size = 4;
    fx.pcrel = true;
    fx.is_branch = true;
    auto [base, v] = split_symbol_suffix(ins.args[0].sym);
    if (v == Fixup::Variant::GotPcrel) return encode_error("call to a @GOTPCREL symbol");
    fx.symbol = base;
    fx.variant = v;
    out.fixups.push_back(std::move(fx));
    for (int k = 0; k < 4; ++k) out.bytes[out.length++] = 0;
    return ok_status();
  }

  Operand ops[2];
  for (size_t k = 0; k < n; ++k) {
    if (Status st = classify(ins.args[k], ops[k]); !st)
      return encode_error("operand ", k + 1, ": ", st.error().message);
  }
  const uint8_t cc = cond_code(ins.cond);
  const Index& idx = index();
  static_assert(static_cast<int>(Operand::K::Reg) == 0 && static_cast<int>(Operand::K::Xmm) == 1 &&
                static_cast<int>(Operand::K::Mem) == 2 && static_cast<int>(Operand::K::Imm) == 3 &&
                static_cast<int>(Operand::K::SymImm) == 4);
  const uint8_t kind0 = n >= 1 ? static_cast<uint8_t>(1u << static_cast<int>(ops[0].k)) : 0;
  const uint8_t kind1 = n >= 2 ? static_cast<uint8_t>(1u << static_cast<int>(ops[1].k)) : 0;
  for (uint16_t fi : idx.by_op[static_cast<size_t>(ins.op)]) {
    if (idx.arity[fi] != n) continue;
    if (n >= 1 && (idx.kinds[fi][0] & kind0) == 0) continue;
    if (n >= 2 && (idx.kinds[fi][1] & kind1) == 0) continue;
    const Form& f = idx.forms[fi];
    auto size = operand_size(f, ops, n);
    if (!size) continue;
    if (f.sizes != 0 && !(f.sizes & size_bit(*size))) continue;
    if (n >= 1 && !matches(f.a, ops[0], *size, f)) continue;
    if (n >= 2 && !matches(f.b, ops[1], *size, f)) continue;
    if (ins.op == Op::XCHG && f.opc[0] == 0x90 && ops[0].reg == 0 && ops[1].reg == 0) {
      // xchg %eax,%eax must not become nop (it zero-extends); GNU as
      // turns xchg %rax,%rax into a plain nop.
      if (*size == 32) continue;
      if (*size == 64) {
        out.length = 1;
        out.bytes[0] = 0x90;
        out.fixups.clear();
        return ok_status();
      }
    }
    return encode_with(f, ops, n, *size, cc, ins, out);
  }
  if (ins.op >= Op::FABS && ins.op <= Op::FYL2X && ins.op != Op::HLT && ins.op != Op::IDIV &&
      ins.op != Op::IMUL && ins.op != Op::INC && ins.op != Op::J && ins.op != Op::JMP &&
      ins.op != Op::LEA && ins.op != Op::LEAVE)
    return encode_error("x87 instruction (the amd64 backend never emits x87 code)");
  return encode_error("unsupported operand form");
}

const char* op_name(ir::Op op) {
  static const char* const names[] = {
      "add", "addsd", "and", "andpd", "bswap", "call", "cdq", "cmov", "cmp", "comisd", "cqo",
      "cvtsd2si", "cvtsd2ss", "cvtsi2sd", "cvtss2sd", "cvttsd2si", "dec", "divsd", "fabs", "fadd",
      "faddp", "fchs", "fcomp", "fcompp", "fcos", "fdiv", "fdivp", "fdivr", "fdivrp", "fild",
      "fistp", "fld", "fld1", "fldcw", "fldlg2", "fldln2", "fldz", "fmul", "fmulp", "fnstcw",
      "fnstsw", "fpatan", "fptan", "fsin", "fsqrt", "fstp", "fsub", "fsubp", "fsubr", "fsubrp",
      "fxch", "fyl2x", "hlt", "idiv", "imul", "inc", "j", "jmp", "lea", "leave", "mov", "movapd",
      "movlpd", "movsd", "movss", "movsx", "movsxd", "movzx", "mulsd", "neg", "nop", "or", "pop",
      "push", "ret", "roundsd", "sal", "sar", "set", "shr", "sqrtsd", "sub", "subsd", "test",
      "ucomisd", "xchg", "xor", "xorpd"};
  size_t k = static_cast<size_t>(op);
  return k < sizeof names / sizeof names[0] ? names[k] : "?";
}

namespace {
const char* reg_name(int size, int x86ast_index) {
  int k = x86ast_index & 15;
  return size == 64 ? ir::kReg64Names[k]
         : size == 32 ? ir::kReg32Names[k]
         : size == 16 ? ir::kReg16Names[k]
                      : ir::kReg8LNames[k];
}

void describe_arg(const ir::Arg& a, std::string& s) {
  using K = ir::Arg::Kind;
  auto reg = [&](int size, ir::Reg64 r) {
    s += '%';
    s += reg_name(size, static_cast<int>(r));
  };
  auto num = [&](int64_t n) { s += std::to_string(n); };
  switch (a.kind) {
    case K::Imm: s += '$'; num(a.imm); return;
    case K::Sym: s += a.sym; return;
    case K::Reg8L: reg(8, a.reg); return;
    case K::Reg8H: {
      static const char* const h[] = {"%ah", "%bh", "%ch", "%dh"};
      s += h[static_cast<int>(a.reg8h) & 3];
      return;
    }
    case K::Reg16: reg(16, a.reg); return;
    case K::Reg32: reg(32, a.reg); return;
    case K::Reg64: reg(64, a.reg); return;
    case K::Xmm: s += "%xmm"; num(a.xmm); return;
    case K::Tos: s += "%st"; return;
    case K::St: s += "%st("; num(a.st); s += ')'; return;
    case K::Mem:
      if (a.mem.sym) s += *a.mem.sym;
      if (a.mem.displ != 0 || !a.mem.sym) {
        if (a.mem.displ >= 0 && a.mem.sym) s += '+';
        num(a.mem.displ);
      }
      if (a.mem.scale != 0) {
        s += '(';
        if (a.mem.base) reg(64, *a.mem.base);
        s += ',';
        reg(64, a.mem.idx);
        s += ',';
        num(a.mem.scale);
        s += ')';
      }
      return;
    case K::MemRip:
      s += a.sym;
      if (a.displ > 0) s += '+';
      if (a.displ != 0) num(a.displ);
      s += "(%rip)";
      return;
  }
}
}  // namespace

std::string describe(const ir::Instr& ins) {
  std::string s = op_name(ins.op);
  if (ins.op == Op::J || ins.op == Op::SET || ins.op == Op::CMOV) {
    static const char* const cc[] = {"o", "no", "b", "ae", "e", "ne", "be", "a",
                                     "s", "ns", "p", "np", "l", "ge", "le", "g"};
    s += cc[cond_code(ins.cond)];
  }
  for (size_t k = 0; k < ins.args.size(); ++k) {
    s += k ? ", " : " ";
    describe_arg(ins.args[k], s);
  }
  return s;
}

void code_padding(uint64_t count, std::vector<uint8_t>& out) {
  // GNU as's 64-bit NOP patterns (one instruction of each length); longer
  // padding is a run of the longest followed by the remainder.
  static const uint8_t nops[11][11] = {
      {0x90},
      {0x66, 0x90},
      {0x0f, 0x1f, 0x00},
      {0x0f, 0x1f, 0x40, 0x00},
      {0x0f, 0x1f, 0x44, 0x00, 0x00},
      {0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00},
      {0x0f, 0x1f, 0x80, 0x00, 0x00, 0x00, 0x00},
      {0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00},
      {0x66, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00},
      {0x66, 0x2e, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00},
      {0x66, 0x66, 0x2e, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00},
  };
  constexpr uint64_t kMax = 11;
  uint64_t last = count % kMax;
  for (uint64_t k = 0; k < count / kMax; ++k) out.insert(out.end(), nops[kMax - 1], nops[kMax - 1] + kMax);
  if (last) out.insert(out.end(), nops[last - 1], nops[last - 1] + last);
}

}  // namespace ocamljit::assembler
