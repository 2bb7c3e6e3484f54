// Instruction encodings, one test per instruction class. Every expected
// encoding comes from GNU as, run at test time on the same text (the text is
// what OCaml's X86_gas prints for the corresponding X86_ast values).
#include <gtest/gtest.h>

// GCC 12 reports a false -Wrestrict on `"literal" + std::string` (GCC bug 105329).
#pragma GCC diagnostic ignored "-Wrestrict"

#include <string>
#include <vector>

#include "support/asm_check.hpp"

using ocamljit::testing::in_text;
using ocamljit::testing::same_as_gas;

namespace {

const std::vector<std::string> r64 = {"%rax", "%rbx", "%rcx", "%rdx", "%rsp", "%rbp", "%rsi", "%rdi",
                                      "%r8", "%r9", "%r10", "%r11", "%r12", "%r13", "%r14", "%r15"};
const std::vector<std::string> r32 = {"%eax", "%ebx", "%ecx", "%edx", "%esp", "%ebp", "%esi", "%edi",
                                      "%r8d", "%r9d", "%r10d", "%r11d", "%r12d", "%r13d", "%r14d", "%r15d"};
const std::vector<std::string> r16 = {"%ax", "%bx", "%cx", "%dx", "%sp", "%bp", "%si", "%di",
                                      "%r8w", "%r9w", "%r10w", "%r11w", "%r12w", "%r13w", "%r14w", "%r15w"};
const std::vector<std::string> r8 = {"%al", "%bl", "%cl", "%dl", "%spl", "%bpl", "%sil", "%dil",
                                     "%r8b", "%r9b", "%r10b", "%r11b", "%r12b", "%r13b", "%r14b", "%r15b"};

// Memory operands covering every ModRM/SIB special case.
const std::vector<std::string> mems = {
    "(%rax)", "(%rsp)", "(%rbp)", "(%r12)", "(%r13)", "8(%rsp)", "-8(%rbp)", "127(%rbx)", "128(%rbx)",
    "-128(%rcx)", "-129(%rcx)", "4096(%r15)", "(%rax,%rbx)", "(%rax,%rbx,2)", "16(%rsp,%rcx,4)",
    "-4(%rbp,%r12,8)", "(%r13,%r14,8)", "(,%rdx,8)", "24(,%r9,2)", "camlFoo(%rip)", "camlFoo+16(%rip)",
    ".L5(%rip)", "camlFoo+8(%rax)", "camlFoo(,%rax,8)", "0x7fffffff(%rax)", "-2147483648(%rdx)"};

std::string suffix(int size) { return size == 64 ? "q" : size == 32 ? "l" : size == 16 ? "w" : "b"; }
const std::vector<std::string>& regs(int size) {
  return size == 64 ? r64 : size == 32 ? r32 : size == 16 ? r16 : r8;
}

}  // namespace

TEST(AsmEncoding, IntegerAluAllForms) {
  for (const char* op : {"add", "or", "and", "sub", "xor", "cmp"}) {
    std::string t = ".L5:\n";
    for (int size : {8, 16, 32, 64}) {
      const auto& rs = regs(size);
      std::string s = suffix(size);
      for (size_t i = 0; i < 16; i += 3)
        for (size_t j = 0; j < 16; j += 5) t += "\t" + std::string(op) + s + "\t" + rs[i] + ", " + rs[j] + "\n";
      for (std::string imm : {"$0", "$1", "$-1", "$127", "$-128", "$128", "$-129", "$255", "$1000"})
        for (size_t j : {0u, 1u, 4u, 9u}) {
          if (size == 8 && (imm == "$1000" || imm == "$-129")) continue;
          t += "\t" + std::string(op) + s + "\t" + imm + ", " + rs[j] + "\n";
        }
      if (size >= 32) t += "\t" + std::string(op) + s + "\t$2147483647, " + rs[0] + "\n";
      for (const std::string& m : mems) {
        t += "\t" + std::string(op) + s + "\t" + rs[2] + ", " + m + "\n";
        t += "\t" + std::string(op) + s + "\t" + m + ", " + rs[11] + "\n";
        t += "\t" + std::string(op) + s + "\t$7, " + m + "\n";
        if (size > 8) t += "\t" + std::string(op) + s + "\t$300, " + m + "\n";
      }
    }
    EXPECT_TRUE(same_as_gas(in_text(t))) << op;
  }
}

TEST(AsmEncoding, MovForms) {
  std::string t = ".L5:\n";
  for (int size : {8, 16, 32, 64}) {
    const auto& rs = regs(size);
    std::string s = suffix(size);
    for (size_t i = 0; i < 16; ++i) t += "\tmov" + s + "\t" + rs[i] + ", " + rs[(i * 7) % 16] + "\n";
    for (size_t i = 0; i < 16; i += 3) {
      t += "\tmov" + s + "\t$5, " + rs[i] + "\n";
      t += "\tmov" + s + "\t$-1, " + rs[i] + "\n";
    }
    for (const std::string& m : mems) {
      t += "\tmov" + s + "\t" + rs[1] + ", " + m + "\n";
      t += "\tmov" + s + "\t" + m + ", " + rs[12] + "\n";
      t += "\tmov" + s + "\t$3, " + m + "\n";
    }
  }
  for (std::string r : {"%rax", "%r10"}) {
    t += "\tmovabsq\t$81985529216486895, " + r + "\n";
    t += "\tmovabsq\t$-9223372036854775808, " + r + "\n";
    t += "\tmovq\t$2147483647, " + r + "\n";
    t += "\tmovq\t$-2147483648, " + r + "\n";
    t += "\tmovq\t$camlFoo, " + r + "\n";
  }
  t += "\tmovl\t$4294967295, %ecx\n\tmovl\t$camlFoo, %eax\n";
  t += "\tmovq\tcamlFoo@GOTPCREL(%rip), %rax\n\tmovq\tcamlFoo@GOTPCREL(%rip), %r11\n";
  EXPECT_TRUE(same_as_gas(in_text(t)));
}

TEST(AsmEncoding, LeaAddressingModes) {
  std::string t = ".L5:\n";
  for (const std::string& m : mems) {
    t += "\tleaq\t" + m + ", %rax\n";
    t += "\tleaq\t" + m + ", %r14\n";
    t += "\tleal\t" + m + ", %ecx\n";
  }
  for (size_t b = 0; b < 16; ++b)
    for (size_t i = 0; i < 16; ++i)
      if (i != 4) t += "\tleaq\t8(" + r64[b] + "," + r64[i] + ",4), %rdx\n";
  EXPECT_TRUE(same_as_gas(in_text(t)));
}

TEST(AsmEncoding, MulDivAndSignExtension) {
  std::string t;
  for (int size : {32, 64}) {
    const auto& rs = regs(size);
    std::string s = suffix(size);
    for (size_t i = 0; i < 16; i += 3) {
      t += "\timul" + s + "\t" + rs[i] + "\n";
      t += "\tidiv" + s + "\t" + rs[i] + "\n";
      t += "\timul" + s + "\t" + rs[i] + ", " + rs[(i + 5) % 16] + "\n";
      for (std::string imm : {"$3", "$-128", "$127", "$128", "$100000"})
        t += "\timul" + s + "\t" + imm + ", " + rs[i] + "\n";
    }
    t += "\timul" + s + "\t16(%rsp), " + rs[3] + "\n";
    t += "\tidiv" + s + "\t16(%rsp)\n";
  }
  t += "\tcqto\n\tcltd\n";
  EXPECT_TRUE(same_as_gas(in_text(t)));
}

TEST(AsmEncoding, UnaryIncDecNeg) {
  std::string t;
  for (int size : {8, 16, 32, 64}) {
    const auto& rs = regs(size);
    std::string s = suffix(size);
    for (size_t i = 0; i < 16; i += 2) {
      t += "\tinc" + s + "\t" + rs[i] + "\n";
      t += "\tdec" + s + "\t" + rs[i] + "\n";
      t += "\tneg\t" + rs[i] + "\n";
    }
    t += "\tinc" + s + "\t8(%rax)\n\tdec" + s + "\t(%r13)\n";
  }
  EXPECT_TRUE(same_as_gas(in_text(t)));
}

TEST(AsmEncoding, ShiftsByOneClAndImmediate) {
  std::string t;
  for (const char* op : {"sal", "shr", "sar"})
    for (int size : {8, 16, 32, 64}) {
      const auto& rs = regs(size);
      std::string s = suffix(size);
      for (size_t i = 0; i < 16; i += 3) {
        t += "\t" + std::string(op) + s + "\t$1, " + rs[i] + "\n";
        t += "\t" + std::string(op) + s + "\t%cl, " + rs[i] + "\n";
        t += "\t" + std::string(op) + s + "\t$7, " + rs[i] + "\n";
      }
      t += "\t" + std::string(op) + s + "\t$3, 8(%rsp)\n";
      t += "\t" + std::string(op) + s + "\t%cl, (%rax,%rbx,8)\n";
    }
  EXPECT_TRUE(same_as_gas(in_text(t)));
}

TEST(AsmEncoding, SetccCmovccAllConditions) {
  std::string t;
  for (const char* c : {"e", "ae", "a", "ge", "g", "ne", "b", "be", "l", "le", "np", "p", "ns", "s", "no", "o"}) {
    for (size_t i = 0; i < 16; i += 5) t += "\tset" + std::string(c) + "\t" + r8[i] + "\n";
    t += "\tcmov" + std::string(c) + "\t%rbx, %r9\n";
    t += "\tcmov" + std::string(c) + "\t8(%rsp), %eax\n";
  }
  EXPECT_TRUE(same_as_gas(in_text(t)));
}

TEST(AsmEncoding, BswapXchgTest) {
  std::string t;
  for (size_t i = 0; i < 16; ++i) t += "\tbswap\t" + r64[i] + "\n\tbswap\t" + r32[i] + "\n";
  t += "\txchg\t%ah, %al\n";
  for (size_t i = 0; i < 16; i += 3) {
    t += "\txchg\t" + r64[i] + ", " + r64[(i + 1) % 16] + "\n";
    t += "\txchg\t%rax, " + r64[i] + "\n";
    t += "\txchg\t" + r32[i] + ", %eax\n";
  }
  for (int size : {8, 16, 32, 64}) {
    const auto& rs = regs(size);
    std::string s = suffix(size);
    for (size_t i = 0; i < 16; i += 3) {
      t += "\ttest" + s + "\t" + rs[i] + ", " + rs[i] + "\n";
      t += "\ttest" + s + "\t$1, " + rs[i] + "\n";
      t += "\ttest" + s + "\t$255, " + rs[i] + "\n";
    }
    t += "\ttest" + s + "\t$1, 8(%rsp)\n\ttest" + s + "\t" + rs[5] + ", (%rax)\n";
  }
  EXPECT_TRUE(same_as_gas(in_text(t)));
}

TEST(AsmEncoding, MovzxMovsxMovsxd) {
  std::string t;
  for (const char* op : {"movz", "movs"}) {
    for (size_t i = 0; i < 16; i += 3) {
      t += "\t" + std::string(op) + "bq\t" + r8[i] + ", " + r64[(i + 7) % 16] + "\n";
      t += "\t" + std::string(op) + "bl\t" + r8[i] + ", " + r32[(i + 7) % 16] + "\n";
      t += "\t" + std::string(op) + "bw\t" + r8[i] + ", " + r16[(i + 7) % 16] + "\n";
      t += "\t" + std::string(op) + "wq\t" + r16[i] + ", " + r64[(i + 2) % 16] + "\n";
      t += "\t" + std::string(op) + "wl\t" + r16[i] + ", " + r32[(i + 2) % 16] + "\n";
    }
    t += "\t" + std::string(op) + "bq\t8(%rax,%rbx), %rcx\n";
    t += "\t" + std::string(op) + "wq\t-2(%r12), %r13\n";
    t += "\t" + std::string(op) + "bl\t(%rsp), %esi\n";
  }
  for (size_t i = 0; i < 16; i += 3) t += "\tmovslq\t" + r32[i] + ", " + r64[(i + 9) % 16] + "\n";
  t += "\tmovslq\t(%rax,%rbx,4), %rdx\n\tmovslq\t12(%r8), %r9\n";
  EXPECT_TRUE(same_as_gas(in_text(t)));
}

TEST(AsmEncoding, PushPop) {
  std::string t;
  for (size_t i = 0; i < 16; ++i) t += "\tpushq\t" + r64[i] + "\n\tpopq\t" + r64[i] + "\n";
  t += "\tpushq\t8(%r14)\n\tpopq\t8(%r14)\n\tpushq\t(%rsp)\n\tpush\t$8\n\tpush\t$1000\n\tpush\t$-1\n";
  EXPECT_TRUE(same_as_gas(in_text(t)));
}

TEST(AsmEncoding, Sse2ScalarFloat) {
  std::string t = ".L5:\n";
  for (const char* op : {"addsd", "subsd", "mulsd", "divsd", "sqrtsd", "andpd", "xorpd", "comisd",
                         "ucomisd", "cvtsd2ss", "cvtss2sd", "movapd", "movsd", "movss"}) {
    for (int i = 0; i < 16; i += 3) t += "\t" + std::string(op) + "\t%xmm" + std::to_string(i) + ", %xmm" + std::to_string((i + 7) % 16) + "\n";
    t += "\t" + std::string(op) + "\t8(%rsp), %xmm3\n";
    t += "\t" + std::string(op) + "\t.L5(%rip), %xmm12\n";
    t += "\t" + std::string(op) + "\tcaml_negf_mask(%rip), %xmm0\n";
  }
  for (const char* op : {"movsd", "movss", "movapd", "movlpd"}) {
    t += "\t" + std::string(op) + "\t%xmm2, 16(%rax,%rbx,8)\n";
    t += "\t" + std::string(op) + "\t%xmm9, (%r13)\n";
  }
  t += "\tmovlpd\t(%rax), %xmm1\n";
  for (size_t i = 0; i < 16; i += 3) {
    t += "\tcvtsi2sdq\t" + r64[i] + ", %xmm" + std::to_string(i) + "\n";
    t += "\tcvtsi2sdl\t" + r32[i] + ", %xmm" + std::to_string(15 - i) + "\n";
    t += "\tcvttsd2siq\t%xmm" + std::to_string(i) + ", " + r64[(i + 1) % 16] + "\n";
    t += "\tcvttsd2sil\t%xmm" + std::to_string(i) + ", " + r32[(i + 1) % 16] + "\n";
    t += "\tcvtsd2si\t%xmm" + std::to_string(i) + ", " + r64[(i + 4) % 16] + "\n";
  }
  t += "\tcvtsi2sdq\t8(%rsp), %xmm1\n\tcvttsd2siq\t(%rax), %rbx\n";
  EXPECT_TRUE(same_as_gas(in_text(t)));
}

TEST(AsmEncoding, CallsAndJumpsIndirect) {
  std::string t;
  for (size_t i = 0; i < 16; ++i) t += "\tcall\t*" + r64[i] + "\n\tjmp\t*" + r64[i] + "\n";
  t += "\tcall\t*8(%rax)\n\tjmp\t*(%r12,%rbx,8)\n\tcall\t*camlFoo@GOTPCREL(%rip)\n\tjmp\t*camlFoo@GOTPCREL(%rip)\n";
  t += "\tcall\tcaml_call_gc@PLT\n\tcall\tcaml_extern\n\tjmp\tcaml_extern2@PLT\n";
  t += "\tret\n\tnop\n\thlt\n\tleave\n";
  EXPECT_TRUE(same_as_gas(in_text(t)));
}

TEST(AsmEncoding, RipRelativeWithImmediatesAndGotRelaxation) {
  // The pc-relative addend depends on the bytes after the displacement;
  // GOTPCREL becomes (REX_)GOTPCRELX on instructions the linker may relax.
  std::string t;
  t += "\tcmpq\t$1, camlFoo(%rip)\n\tcmpq\t$1000, camlFoo+8(%rip)\n\tmovb\t$3, camlFoo(%rip)\n";
  t += "\tmovl\t$7, camlFoo-4(%rip)\n\taddq\t$5, camlBar(%rip)\n\tsalq\t$2, camlFoo(%rip)\n";
  t += "\taddq\tcamlFoo@GOTPCREL(%rip), %rax\n\tcmpq\tcamlFoo@GOTPCREL(%rip), %r9\n";
  t += "\ttestq\t%rax, camlFoo@GOTPCREL(%rip)\n\tleaq\tcamlFoo@GOTPCREL(%rip), %rax\n";
  t += "\tmovl\tcamlFoo@GOTPCREL(%rip), %eax\n\tpushq\tcamlFoo@GOTPCREL(%rip)\n";
  t += "\tleaq\tcamlFoo(%rip), %rax\n\tleaq\t.Lhere(%rip), %r11\n.Lhere:\n\tleaq\t.Lhere(%rip), %r11\n";
  EXPECT_TRUE(same_as_gas(in_text(t)));
}

TEST(AsmEncoding, OcamloptOutputSample) {
  // A realistic function as ocamlopt prints it.
  const std::string t =
      "\t.text\n\t.align\t16\n\t.globl\tcamlT__f_80\ncamlT__f_80:\n\t.cfi_startproc\n"
      "\tsubq\t$8, %rsp\n\t.cfi_adjust_cfa_offset 8\n.L100:\n\tmovq\t%rax, %rbx\n"
      "\tsarq\t$1, %rbx\n\tcmpq\t(%r14), %r15\n\tjbe\t.L101\n.L102:\n\tsubq\t$24, %r15\n"
      "\tleaq\t8(%r15), %rax\n\tmovq\t$2048, -8(%rax)\n\tmovq\t%rbx, (%rax)\n"
      "\taddq\t$8, %rsp\n\t.cfi_adjust_cfa_offset -8\n\tret\n\t.cfi_adjust_cfa_offset 8\n"
      ".L101:\n\tcall\tcaml_call_gc@PLT\n.L103:\n\tjmp\t.L102\n\t.cfi_endproc\n"
      "\t.type camlT__f_80,@function\n\t.size camlT__f_80,. - camlT__f_80\n";
  EXPECT_TRUE(same_as_gas(t));
}
