// Bad input: every error is a value naming the unit, the line index and the
// instruction; nothing crashes. Programs are built directly as ir values.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "asm/assembler.hpp"

using namespace ocamljit;

namespace {

ir::Arg reg64(ir::Reg64 r) {
  ir::Arg a;
  a.kind = ir::Arg::Kind::Reg64;
  a.reg = r;
  return a;
}
ir::Arg reg32(ir::Reg64 r) {
  ir::Arg a = reg64(r);
  a.kind = ir::Arg::Kind::Reg32;
  return a;
}
ir::Arg imm(int64_t v) {
  ir::Arg a;
  a.kind = ir::Arg::Kind::Imm;
  a.imm = v;
  return a;
}
ir::Arg sym(std::string_view s) {  // a literal: the Arg keeps a view
  ir::Arg a;
  a.kind = ir::Arg::Kind::Sym;
  a.sym = s;
  return a;
}
// A line of a test program: an instruction goes to Program::instrs when the program is built.
struct TestLine {
  TestLine(const ir::Line& l) : line(l) {}  // NOLINT: a directive as it is
  explicit TestLine(const ir::Instr& i) : instr(i) {}
  ir::Line line;
  std::optional<ir::Instr> instr;
};

TestLine ins(ir::Op op, std::vector<ir::Arg> args) {
  ir::Instr i;
  i.op = op;
  for (const auto& a : args) i.args.push_back(a);
  return TestLine(i);
}
ir::Line text_section() {
  ir::Line l;
  l.kind = ir::Line::Kind::Section;
  l.index = 0;  // ".text", the first section error_of's program has
  return l;
}

std::string error_of(const std::vector<TestLine>& lines) {
  ir::Program p;
  p.name_lists = {".text"};
  // Section 0 is .text; section 1 has no name.
  p.sections = {ir::SectionSpec{ir::NameList{0, 1}, std::nullopt, ir::NameList{}}, ir::SectionSpec{}};
  for (const auto& l : lines) p.lines.push_back(l.instr ? p.add(*l.instr) : l.line);
  auto r = assembler::assemble(p, "camlBad");
  return r.ok() ? std::string() : r.error().message;
}

}  // namespace

void expect_mentions(const std::string& e, std::initializer_list<const char*> parts) {
  ASSERT_FALSE(e.empty()) << "expected an error";
  for (const char* p : parts) EXPECT_NE(e.find(p), std::string::npos) << "missing '" << p << "' in: " << e;
  EXPECT_EQ(e.find('\n'), std::string::npos) << "one line: " << e;
}

TEST(AsmErrors, MismatchedOperandSizesNameTheInstruction) {
  expect_mentions(error_of({text_section(), ins(ir::Op::RET, {}),
                            ins(ir::Op::ADD, {reg32(ir::Reg64::RAX), reg64(ir::Reg64::RBX)})}),
                  {"unit camlBad", "line 2", "add %eax, %rbx", "unsupported operand form"});
}

TEST(AsmErrors, ImmediateOutOfRange) {
  // No x86-64 ALU form takes a 64-bit immediate.
  expect_mentions(error_of({text_section(), ins(ir::Op::ADD, {imm(int64_t(1) << 40), reg64(ir::Reg64::RAX)})}),
                  {"unit camlBad", "line 1", "add $1099511627776, %rax"});
}

TEST(AsmErrors, X87IsRejected) {
  ir::Arg st;
  st.kind = ir::Arg::Kind::St;
  st.st = 1;
  expect_mentions(error_of({text_section(), ins(ir::Op::FXCH, {st})}), {"line 1", "x87"});
  expect_mentions(error_of({text_section(), ins(ir::Op::FLDZ, {})}), {"line 1", "x87"});
}

TEST(AsmErrors, UndefinedLocalLabelInExpression) {
  ir::Line q;
  q.kind = ir::Line::Kind::Quad;
  q.constant.kind = ir::Constant::Kind::Sub;
  ir::Constant a, b;
  a.kind = b.kind = ir::Constant::Kind::Label;
  a.label = "camlX";
  b.label = "camlY";
  q.constant.lhs = &a;
  q.constant.rhs = &b;
  expect_mentions(error_of({text_section(), q}), {"unit camlBad", "line 1", "not representable"});
}

TEST(AsmErrors, UndefinedLocalLabels) {
  TestLine j = ins(ir::Op::J, {sym(".L99")});
  expect_mentions(error_of({text_section(), j}), {"unit camlBad", "line 1", ".L99", "undefined local label"});
  ir::Arg rip;
  rip.kind = ir::Arg::Kind::MemRip;
  rip.sym = ".L98";
  expect_mentions(error_of({text_section(), ins(ir::Op::LEA, {rip, reg64(ir::Reg64::RAX)})}),
                  {"line 1", "lea .L98(%rip), %rax", "undefined local label .L98"});
  ir::Line q;
  q.kind = ir::Line::Kind::Quad;
  q.constant.kind = ir::Constant::Kind::Label;
  q.constant.label = ".L97";
  expect_mentions(error_of({text_section(), ins(ir::Op::RET, {}), q}), {"line 2", "undefined local label .L97"});
}

TEST(AsmErrors, BadAlignmentAndDuplicateLabels) {
  ir::Line al;
  al.kind = ir::Line::Kind::Align;
  al.n = 12;
  expect_mentions(error_of({text_section(), al}), {"line 1", "power of two"});
  ir::Line lab;
  lab.kind = ir::Line::Kind::NewLabel;
  lab.text = ".L1";
  expect_mentions(error_of({text_section(), lab, lab}), {"line 2", ".L1", "twice"});
}

TEST(AsmErrors, ValueOutOfRangeInData) {
  ir::Line b;
  b.kind = ir::Line::Kind::Byte;
  b.constant.kind = ir::Constant::Kind::Int;
  b.constant.value = 100000;
  expect_mentions(error_of({text_section(), b}), {"line 1", "does not fit"});
}

TEST(AsmErrors, UnbalancedCfi) {
  ir::Line end;
  end.kind = ir::Line::Kind::CfiEndproc;
  expect_mentions(error_of({text_section(), end}), {"line 1", ".cfi_endproc"});
  ir::Line start;
  start.kind = ir::Line::Kind::CfiStartproc;
  expect_mentions(error_of({text_section(), start}), {"line 1", ".cfi_startproc"});
}

TEST(AsmErrors, MalformedIrValuesDoNotCrash) {
  // Out-of-range enum values, empty names, bad scales, missing operands.
  ir::Arg bad = reg64(static_cast<ir::Reg64>(200));
  ir::Arg xmm;
  xmm.kind = ir::Arg::Kind::Xmm;
  xmm.xmm = 99;
  ir::Arg mem;
  mem.kind = ir::Arg::Kind::Mem;
  mem.mem.scale = 3;
  mem.mem.base = ir::Reg64::RAX;
  ir::Line sec;
  sec.kind = ir::Line::Kind::Section;
  sec.index = 1;  // no name
  ir::Line dangling_sec = sec, dangling_loc, dangling_type;  // payload indexes past their pools
  dangling_sec.index = 9;
  dangling_loc.kind = ir::Line::Kind::Loc;
  dangling_loc.index = 3;
  dangling_type.kind = ir::Line::Kind::Type;
  dangling_type.text = "f";
  dangling_type.index = 5;
  TestLine weird = ins(static_cast<ir::Op>(999), {});
  ir::Line dangling;  // an Ins line whose instruction index is past the program's instructions
  dangling.kind = ir::Line::Kind::Ins;
  dangling.index = 7;
  EXPECT_FALSE(error_of({text_section(), ins(ir::Op::ADDSD, {xmm, xmm})}).empty());
  EXPECT_FALSE(error_of({text_section(), ins(ir::Op::LEA, {mem, reg64(ir::Reg64::RAX)})}).empty());
  EXPECT_FALSE(error_of({sec}).empty());
  EXPECT_FALSE(error_of({dangling_sec}).empty());
  EXPECT_FALSE(error_of({text_section(), dangling_loc}).empty());
  EXPECT_FALSE(error_of({text_section(), dangling_type}).empty());
  EXPECT_FALSE(error_of({text_section(), weird}).empty());
  expect_mentions(error_of({text_section(), dangling}), {"line 1", "instruction index out of range"});
  EXPECT_FALSE(error_of({text_section(), ins(ir::Op::MOV, {reg64(ir::Reg64::RAX)})}).empty());
  EXPECT_FALSE(error_of({text_section(), ins(ir::Op::CALL, {sym("f@GOTPCREL")})}).empty());
  // An out-of-range register number is masked, not trusted.
  (void)error_of({text_section(), ins(ir::Op::PUSH, {bad})});
}
