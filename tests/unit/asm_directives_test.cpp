// Directives and branch relaxation, compared with GNU as at test time.
#include <gtest/gtest.h>

// GCC 12 reports a false -Wrestrict on `"literal" + std::string` (GCC bug 105329).
#pragma GCC diagnostic ignored "-Wrestrict"

#include <string>

#include "support/asm_check.hpp"

using ocamljit::testing::same_as_gas;

namespace {
std::string n(long v) { return std::to_string(v); }
}  // namespace

TEST(AsmDirectives, AlignPaddingInCodeEveryLength) {
  // Code padding is GNU as's NOP sequence for each length.
  for (int align : {2, 4, 8, 16, 32, 64}) {
    std::string t = "\t.text\n";
    for (int k = 0; k < align; ++k) t += "\t.space\t" + n(k) + "\n\t.align\t" + n(align) + "\n\tret\n";
    EXPECT_TRUE(same_as_gas(t)) << align;
  }
  // Instruction bytes (not .space) before the alignment.
  std::string t = "\t.text\n";
  for (int k = 0; k < 40; ++k) t += "\tpushq\t%rax\n\t.align\t" + n(k % 2 ? 16 : 32) + "\n";
  EXPECT_TRUE(same_as_gas(t));
}

TEST(AsmDirectives, AlignPaddingInData) {
  std::string t = "\t.data\n";
  for (int k = 0; k < 20; ++k) t += "\t.byte\t" + n(k) + "\n\t.align\t" + n(1 << (k % 5)) + "\n";
  t += "\t.section .rodata.cst8,\"aM\",@progbits,8\n\t.byte 1\n\t.align\t8\n\t.quad\t0x4000000000000000\n";
  EXPECT_TRUE(same_as_gas(t));
}

TEST(AsmDirectives, DataConstantsAndExpressions) {
  std::string t =
      "\t.data\n\t.globl\tcamlT__data_begin\ncamlT__data_begin:\n"
      "\t.quad\t0\n\t.quad\t-1\n\t.quad\t0x8000000000000000\n\t.quad\t0x7fffffffffffffff\n"
      "\t.long\t-2147483648\n\t.long\t4294967295\n\t.word\t65535\n\t.word\t-32768\n\t.byte\t255\n\t.byte\t-128\n"
      "\t.align\t8\n"
      "camlT__1:\n\t.quad\tcamlT__1\n\t.quad\tcamlT__data_begin\n\t.quad\tcaml_extern_sym\n"
      "\t.quad\t.L10\n\t.quad\tcamlT__f\n\t.quad\tcamlT__f + 8\n"
      "\t.long\t.L10 - .L11\n\t.long\t(.L10 - .) + 16\n\t.long\t(.L12 - .) + -4\n"
      "\t.quad\t.L12 - .\n\t.long\t(camlT__f - .) + 0\n\t.long\tcamlT__1 - .\n"
      "\t.quad\t.L13 - camlT__1\n.L13:\n\t.word\t.L13 - camlT__1\n\t.byte\t.L13 - camlT__1\n"
      "\t.long\tcaml_extern_sym - .\n"
      "\t.text\n\t.globl\tcamlT__f\ncamlT__f:\n.L11:\n\tret\n\tnop\n.L10:\n\tret\n"
      "\t.section .rodata\n\t.align\t4\n.L20:\n\t.long\t.L10 - .L20\n\t.long\t.L11 - .L20\n"
      "\t.section .rodata.cst8,\"aM\",@progbits,8\n\t.align\t8\n.L12:\n\t.quad\t0\n";
  EXPECT_TRUE(same_as_gas(t));
}

TEST(AsmDirectives, AsciiSpaceAndStrings) {
  std::string t = "\t.data\n\t.ascii\t\"hello\\0\\12\\42\\134x\\377\"\n\t.space\t13\n\t.ascii\t\"\"\n"
                  "\t.ascii\t\"\\0\\0\\0\\1\\0\\0\\0\"\n\t.byte\t0\n\t.space\t1\n";
  EXPECT_TRUE(same_as_gas(t));
}

TEST(AsmDirectives, SectionsWithFlagsAndTypes) {
  std::string t =
      "\t.section .rodata.cst16,\"aM\",@progbits,16\n\t.align\t16\ncaml_negf_mask:\n\t.quad\t0x8000000000000000\n\t.quad\t0\n"
      "\t.section .rodata\n\t.long\t1\n"
      "\t.section .text.caml.camlT__f_1,\"ax\",@progbits\n\tret\n"
      "\t.section .data.rel,\"aw\",@progbits\n\t.quad\tcaml_negf_mask\n"
      "\t.text\n\txorpd\tcaml_negf_mask(%rip), %xmm0\n\tandpd\tcaml_negf_mask+16(%rip), %xmm1\n"
      "\tjmp\t.Lfar\n"
      "\t.section .note.GNU-stack,\"\",%progbits\n"
      "\t.section .text.caml.camlT__f_1,\"ax\",@progbits\n.Lfar:\n\tret\n";
  EXPECT_TRUE(same_as_gas(t));
}

TEST(AsmRelaxation, ForwardAndBackwardBoundaries) {
  // Around the rel8 limits: forward 127/128, backward -128/-129 bytes.
  for (int gap = 120; gap <= 135; ++gap) {
    std::string fwd = "\t.text\n\tjmp\t.L1\n\tje\t.L1\n\t.space\t" + n(gap) + "\n.L1:\n\tret\n";
    EXPECT_TRUE(same_as_gas(fwd)) << "forward gap " << gap;
    std::string bwd = "\t.text\n.L1:\n\t.space\t" + n(gap) + "\n\tjne\t.L1\n\tjmp\t.L1\n";
    EXPECT_TRUE(same_as_gas(bwd)) << "backward gap " << gap;
  }
}

TEST(AsmRelaxation, ChainsReachAFixpoint) {
  // Each jump's growth pushes the next one out of range.
  std::string t = "\t.text\n";
  for (int k = 0; k < 40; ++k) t += ".L" + n(k) + ":\n\tjl\t.L" + n(k + 40) + "\n\t.space\t" + n(60 + k % 7) + "\n";
  for (int k = 40; k < 80; ++k) t += ".L" + n(k) + ":\n\tjmp\t.L" + n(k - 40) + "\n\t.align\t8\n";
  EXPECT_TRUE(same_as_gas(t));
  // Jumps interleaved with alignment that absorbs growth.
  std::string u = "\t.text\n";
  for (int k = 0; k < 30; ++k)
    u += ".L" + n(k) + ":\n\tjg\t.L" + n((k + 5) % 30) + "\n\t.space\t" + n(9 + k % 11) + "\n\t.align\t16\n";
  EXPECT_TRUE(same_as_gas(u));
}

TEST(AsmRelaxation, GlobalPltAndCrossSectionTargets) {
  // Global symbols without @PLT relax like local ones (as is not -mshared);
  // @PLT, undefined and other-section targets are never short.
  std::string t =
      "\t.text\n\t.globl\tcamlT__g\ncamlT__g:\n\tjmp\tcamlT__g\n\tje\tcamlT__g\n\tjmp\tcamlT__g@PLT\n"
      "\tjne\tcamlT__g@PLT\n\tjmp\tcaml_undefined\n\tjb\tcaml_undefined\n\tjmp\t.Lother\n\tja\t.Lother\n"
      "\tjmp\tcamlT__local\n\tcall\tcamlT__g\n\tcall\tcamlT__local\n\tcall\t.Lnear\n\tcall\tcaml_undefined\n"
      "\tcall\tcamlT__g@PLT\n\tcall\t.Lother\n.Lnear:\n\tret\n"
      "camlT__local:\n\tret\n"
      "\t.section .text.caml.other,\"ax\",@progbits\n.Lother:\n\tjmp\tcamlT__g\n\tjmp\tcamlT__local\n\tret\n";
  EXPECT_TRUE(same_as_gas(t));
}

TEST(AsmDirectives, SymbolsGlobalTypeSize) {
  std::string t =
      "\t.text\n\t.globl\tcamlT__f\n\t.align\t16\ncamlT__f:\n\tret\n\t.type camlT__f,@function\n"
      "\t.size camlT__f,. - camlT__f\n\t.data\n\t.globl\tcamlT\ncamlT:\n\t.quad\t1\n\t.type camlT,@object\n"
      "\t.size camlT,8\n\t.quad\tcamlT__f\n";
  EXPECT_TRUE(same_as_gas(t));
}

TEST(AsmDirectives, SetSymbols) {
  // X86_gas prints `.set` for frametable offsets on macOS; on ELF it is an
  // equate usable in later expressions.
  std::string t =
      "\t.text\n.L1:\n\tret\n\tnop\n.L2:\n\tret\n\t.data\n\t.set L$set$1, (.L2 - .L1) + 4\n"
      "\t.long\tL$set$1\n\t.set camlT__alias, camlT__d + 8\ncamlT__d:\n\t.quad\t0\n\t.quad\t0\n"
      "\t.quad\tcamlT__alias\n";
  EXPECT_TRUE(same_as_gas(t));
}
