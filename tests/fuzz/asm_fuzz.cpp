// libFuzzer target for the assembler and the ELF writer: arbitrary
// ir::Program values (any opcode, operand, directive, label or section,
// valid or not) must give an Object or an error, never a crash; an Object
// the assembler accepted must be writable as ELF.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "asm/assembler.hpp"
#include "object/elf/writer.hpp"

using namespace ocamljit;

namespace {

struct Bytes {
  const uint8_t* p;
  size_t n;
  uint8_t u8() {
    if (!n) return 0;
    --n;
    return *p++;
  }
  int64_t i64() {
    switch (u8() % 6) {
      case 0: return static_cast<int8_t>(u8());
      case 1: return u8() * 31 - 4000;
      case 2: return 1;
      case 3: return INT64_MIN + u8();
      case 4: return (int64_t(u8()) << 32) | u8();
      default: return u8();
    }
  }
};

const char* const kLabels[] = {".L1", ".L2", ".L3", "camlA", "camlB", "caml_ext", "camlA@PLT",
                               "caml_ext@PLT", "camlB@GOTPCREL", ".L1@PLT", "x@GOTPCREL", ""};
const char* const kSections[] = {".text", ".data", ".rodata.cst8", ".text.caml.f", ".bss", ".note.GNU-stack"};
const char* const kFlags[] = {"ax", "aw", "aM", "", "a", "zz"};
const char* const kArgs[] = {"@progbits", "%progbits", "8", "@nobits", "@bogus"};

// Literals: the program keeps views of them.
std::string_view label(Bytes& b) { return kLabels[b.u8() % (sizeof kLabels / sizeof *kLabels)]; }

ir::Constant constant(ir::Program& p, Bytes& b, int depth = 0) {
  ir::Constant c;
  uint8_t k = b.u8() % (depth > 3 ? 3 : 5);
  c.kind = static_cast<ir::Constant::Kind>(k);
  c.value = b.i64();
  c.label = label(b);
  if (c.kind == ir::Constant::Kind::Add || c.kind == ir::Constant::Kind::Sub) {
    c.lhs = &p.operands.emplace_back(constant(p, b, depth + 1));
    if (b.u8() % 8) c.rhs = &p.operands.emplace_back(constant(p, b, depth + 1));  // sometimes malformed
  }
  return c;
}

ir::Arg arg(Bytes& b) {
  ir::Arg a;
  a.kind = static_cast<ir::Arg::Kind>(b.u8() % 13);
  a.imm = b.i64();
  a.sym = label(b);
  a.reg = static_cast<ir::Reg64>(b.u8() % 17);
  a.reg8h = static_cast<ir::Reg8H>(b.u8() % 5);
  a.xmm = b.u8() % 18;
  a.st = b.u8() % 9;
  a.mem.arch = static_cast<ir::Arch>(b.u8() % 2);
  a.mem.type = static_cast<ir::DataType>(b.u8() % 11);
  a.mem.idx = static_cast<ir::Reg64>(b.u8() % 16);
  a.mem.scale = b.u8() % 10;
  if (b.u8() % 2) a.mem.base = static_cast<ir::Reg64>(b.u8() % 16);
  if (b.u8() % 3 == 0) a.mem.sym = label(b);
  a.mem.displ = b.i64();
  a.rip_type = static_cast<ir::DataType>(b.u8() % 11);
  a.displ = b.i64();
  return a;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Bytes b{data, size};
  ir::Program p;
  while (b.n && p.lines.size() < 400) {
    ir::Line l;
    l.kind = static_cast<ir::Line::Kind>(b.u8() % 26);
    ir::Instr& ins = p.instrs.emplace_back();
    ins.op = static_cast<ir::Op>(b.u8() % 92);
    ins.cond = static_cast<ir::Cond>(b.u8() % 16);
    ins.rounding = static_cast<ir::Rounding>(b.u8() % 4);
    for (int k = b.u8() % 4; k > 0; --k) ins.args.push_back(arg(b));  // a third is refused
    // Sometimes an index past the instructions: refused, not trusted.
    const uint32_t ins_index = static_cast<uint32_t>(p.instrs.size() - (b.u8() % 16 ? 1 : 0));
    l.flag = b.u8() & 1;
    l.n = b.i64() % 70;
    const ir::Line loc = p.add_loc(l.n, b.i64(), b.i64());
    l.constant = constant(p, b);
    l.text = label(b);
    const ir::Line type = p.add_type(l.text, b.u8() % 2 ? "@function" : "@object");
    const std::string_view name[] = {kSections[b.u8() % 6]};
    std::optional<std::string_view> flags;
    if (b.u8() % 2) flags = kFlags[b.u8() % 6];
    std::string_view args[2];
    size_t nargs = b.u8() % 3;
    for (size_t k = 0; k < nargs; ++k) args[k] = kArgs[b.u8() % 5];
    const ir::Line section = p.add_section(name, flags, std::span<const std::string_view>(args, nargs));
    // The payload index of the line's kind (sometimes one past its pool: refused, not trusted).
    switch (l.kind) {
      case ir::Line::Kind::Ins: l.index = ins_index; break;
      case ir::Line::Kind::Loc: l.index = loc.index + (b.u8() % 16 ? 0 : 1); break;
      case ir::Line::Kind::Type: l.index = type.index + (b.u8() % 16 ? 0 : 1); break;
      case ir::Line::Kind::Section: l.index = section.index + (b.u8() % 16 ? 0 : 1); break;
      default: l.index = b.u8(); break;
    }
    p.lines.push_back(std::move(l));
  }
  auto o = assembler::assemble(p, "fuzz");
  if (o.ok()) {
    auto w = elf::write_relocatable(*o);
    if (!w.ok()) std::abort();  // the assembler produced an object the writer rejects
  }
  return 0;
}
