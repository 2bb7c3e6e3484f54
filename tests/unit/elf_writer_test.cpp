// The ELF writer: binutils accept our objects, and a program linked from
// them behaves exactly like the same program assembled by GNU as.
#include <gtest/gtest.h>

// GCC 12 reports a false -Wrestrict on `"literal" + std::string` (GCC bug 105329).
#pragma GCC diagnostic ignored "-Wrestrict"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "support/temp_dir.hpp"
#include "support/asm_check.hpp"

using namespace ocamljit;

namespace {

using ocamljit::test_support::TempDir;

struct RunResult {
  int status = -1;
  std::string out;
};

RunResult run(const std::string& cmd) {
  RunResult r;
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  if (!p) return r;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  int st = pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

void write_file(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()),
                                              static_cast<std::streamsize>(bytes.size()));
}

// A small program in the style of ocamlopt's output: a jump table in
// .rodata, a float constant in a mergeable section, data with absolute and
// pc-relative references, PLT calls, GOT loads, CFI, a non-executable stack.
const char* const kProgram = R"(	.file ""
	.section .rodata.cst8,"aM",@progbits,8
	.align	8
.Lthree:
	.quad	0x4008000000000000
	.data
	.align	8
	.globl	table
table:
	.quad	.Lmsg1
	.quad	.Lmsg2
	.quad	.Lmsg3
	.long	(.Lcase0 - .) + 0
	.long	0
	.section .rodata
.Lmsg1:
	.ascii	"zero\0"
.Lmsg2:
	.ascii	"one\0"
.Lmsg3:
	.ascii	"two, then 3.0 * 2 = 6\0"
	.align	4
.Ljt:
	.long	.Lcase0 - .Ljt
	.long	.Lcase1 - .Ljt
	.long	.Lcase2 - .Ljt
	.text
	.align	16
	.globl	main
	.type	main,@function
main:
	.cfi_startproc
	pushq	%rbx
	.cfi_adjust_cfa_offset 8
	pushq	%r12
	.cfi_adjust_cfa_offset 8
	subq	$8, %rsp
	.cfi_adjust_cfa_offset 8
	xorl	%ebx, %ebx
.Lloop:
	leaq	.Ljt(%rip), %rax
	movslq	(%rax,%rbx,4), %rcx
	addq	%rcx, %rax
	jmp	*%rax
.Lcase0:
.Lcase1:
	movq	table@GOTPCREL(%rip), %rax
	movq	(%rax,%rbx,8), %rdi
	call	puts@PLT
	jmp	.Lnext
.Lcase2:
	movsd	.Lthree(%rip), %xmm0
	addsd	%xmm0, %xmm0
	cvttsd2siq	%xmm0, %r12
	movq	table@GOTPCREL(%rip), %rax
	movq	16(%rax), %rdi
	call	puts@PLT
.Lnext:
	incq	%rbx
	cmpq	$3, %rbx
	jl	.Lloop
	movq	%r12, %rax
	addq	$8, %rsp
	.cfi_adjust_cfa_offset -8
	popq	%r12
	.cfi_adjust_cfa_offset -8
	popq	%rbx
	.cfi_adjust_cfa_offset -8
	ret
	.cfi_endproc
	.size	main,. - main
	.section .note.GNU-stack,"",%progbits
)";

}  // namespace

TEST(ElfWriter, ObjectIsIdenticalToGnuAsInContent) {
  EXPECT_TRUE(ocamljit::testing::same_as_gas(kProgram));
}

TEST(ElfWriter, BinutilsAcceptTheObject) {
  TempDir d;
  ASSERT_FALSE(d.path.empty());
  std::string error;
  auto ours = ocamljit::testing::assemble_text(kProgram, error);
  ASSERT_FALSE(ours.empty()) << error;
  write_file(d.path + "/ours.o", ours);
  for (const std::string& tool : {std::string("readelf -aW"), std::string("objdump -dr"), std::string("objdump -s")}) {
    RunResult r = run(tool + " " + d.path + "/ours.o >/dev/null");
    EXPECT_EQ(r.status, 0) << tool;
    EXPECT_EQ(r.out, "") << tool << " complained";
  }
  RunResult r = run("ld -r -o " + d.path + "/rel.o " + d.path + "/ours.o");
  EXPECT_EQ(r.status, 0) << r.out;
  // The symbol table is well-formed: locals before globals, sh_info right.
  RunResult s = run("readelf -sW " + d.path + "/ours.o");
  EXPECT_NE(s.out.find("GLOBAL DEFAULT    1 main"), std::string::npos) << s.out;
}

TEST(ElfWriter, LinkedProgramBehavesLikeGnuAsOne) {
  TempDir d;
  ASSERT_FALSE(d.path.empty());
  std::string error;
  auto ours = ocamljit::testing::assemble_text(kProgram, error);
  ASSERT_FALSE(ours.empty()) << error;
  auto theirs = ocamljit::testing::run_gnu_as(kProgram, &error);
  ASSERT_FALSE(theirs.empty()) << error;
  write_file(d.path + "/ours.o", ours);
  write_file(d.path + "/theirs.o", theirs);
  RunResult l1 = run("cc -o " + d.path + "/ours " + d.path + "/ours.o");
  ASSERT_EQ(l1.status, 0) << l1.out;
  RunResult l2 = run("cc -o " + d.path + "/theirs " + d.path + "/theirs.o");
  ASSERT_EQ(l2.status, 0) << l2.out;
  RunResult a = run(d.path + "/ours");
  RunResult b = run(d.path + "/theirs");
  EXPECT_EQ(a.status, b.status);
  EXPECT_EQ(a.out, b.out);
  EXPECT_FALSE(a.out.empty());
}

TEST(ElfWriter, HandlesBadObjectsWithErrors) {
  obj::Object o;
  o.name = "broken";
  o.sections.push_back(obj::Section{});
  obj::Relocation r;
  r.section = 5;
  o.relocations.push_back(r);
  auto w = elf::write_relocatable(o);
  ASSERT_FALSE(w.ok());
  EXPECT_NE(w.error().message.find("broken"), std::string::npos);
  o.relocations[0].section = 0;
  o.relocations[0].symbol = 42;
  EXPECT_FALSE(elf::write_relocatable(o).ok());
}

#include "object/elf/reader.hpp"

namespace {

// What a relocation refers to, independent of symbol numbering.
std::string target_of(const obj::Object& o, const obj::Relocation& r) {
  const obj::Symbol& s = o.symbols[r.symbol];
  if (s.kind == obj::SymbolKind::Section && s.section) return "section " + o.sections[*s.section].name;
  return s.name;
}

}  // namespace

TEST(ElfWriter, RoundTripsThroughTheElfReader) {
  // Writer and reader (another room's) agree on every section, relocation
  // and named symbol of the object.
  auto prog = ocamljit::testing::parse_gas(kProgram);
  ASSERT_TRUE(prog.ok()) << prog.error().message;
  auto ours = assembler::assemble(*prog, "roundtrip");
  ASSERT_TRUE(ours.ok()) << ours.error().message;
  auto bytes = elf::write_relocatable(*ours);
  ASSERT_TRUE(bytes.ok()) << bytes.error().message;
  auto back = elf::read_relocatable(*bytes, "roundtrip.o");
  ASSERT_TRUE(back.ok()) << back.error().message;
  for (const obj::Section& s : ours->sections) {
    auto k = back->find_section(s.name);
    ASSERT_TRUE(k.has_value()) << s.name;
    const obj::Section& t = back->sections[*k];
    EXPECT_EQ(t.type, s.type) << s.name;
    EXPECT_EQ(t.flags, s.flags) << s.name;
    EXPECT_EQ(t.alignment, s.alignment) << s.name;
    EXPECT_EQ(t.size(), s.size()) << s.name;
    EXPECT_EQ(t.bytes, s.bytes) << s.name;
  }
  ASSERT_EQ(back->relocations.size(), ours->relocations.size());
  for (size_t k = 0; k < ours->relocations.size(); ++k) {
    const auto& a = ours->relocations[k];
    const auto& b = back->relocations[k];
    EXPECT_EQ(back->sections[b.section].name, ours->sections[a.section].name) << k;
    EXPECT_EQ(b.offset, a.offset) << k;
    EXPECT_EQ(b.type, a.type) << k;
    EXPECT_EQ(b.addend, a.addend) << k;
    EXPECT_EQ(target_of(*back, b), target_of(*ours, a)) << k;
  }
  for (const obj::Symbol& s : ours->symbols) {
    if (s.kind == obj::SymbolKind::Section) continue;
    auto k = back->find_symbol(s.name);
    ASSERT_TRUE(k.has_value()) << s.name;
    const obj::Symbol& t = back->symbols[*k];
    EXPECT_EQ(t.binding, s.binding) << s.name;
    EXPECT_EQ(t.kind, s.kind) << s.name;
    EXPECT_EQ(t.value, s.value) << s.name;
    EXPECT_EQ(t.size, s.size) << s.name;
    EXPECT_EQ(t.defined(), s.defined()) << s.name;
  }
}
