#include "object/elf/archive.hpp"
#include "object/elf/reader.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdio>
#include <map>
#include <sstream>

#include "jit_test_support.hpp"
#include "link/linker.hpp"
#include "support/temp_dir.hpp"

using namespace ocamljit;

namespace {

const char* kSource = R"(
  .text
  .globl f
  .type f, @function
f:
  call ext_fn@PLT
  lea local_data(%rip), %rax
  mov ext_data@GOTPCREL(%rip), %rax
  movabs $local_data+3, %rax
  ret
  .size f, .-f
  .data
  .align 8
local_data:
  .quad f
  .quad ext_data-8
  .long f-.
  .section .rodata.cst8,"aM",@progbits,8
  .quad 42
  .bss
  .zero 64
)";

struct ReadelfReloc {
  std::string section;
  uint64_t offset;
  std::string type, symbol;
  int64_t addend;
};

// `readelf -rW` of an object: the oracle for what the reader must find.
std::vector<ReadelfReloc> readelf_relocs(const std::string& path) {
  std::vector<ReadelfReloc> out;
  std::istringstream in(jit_test::capture("readelf -rW " + path));
  std::string line, section;
  while (std::getline(in, line)) {
    if (line.rfind("Relocation section '.rela", 0) == 0) {
      section = line.substr(25, line.find('\'', 25) - 25);
      continue;
    }
    std::istringstream ls(line);
    std::string off, info, type, value, sym, sign, addend;
    if (!(ls >> off >> info >> type >> value >> sym >> sign >> addend)) continue;
    if (type.rfind("R_X86_64", 0) != 0) continue;
    const int64_t a = std::stoll(addend, nullptr, 16);
    out.push_back({section, std::stoull(off, nullptr, 16), type, sym, sign == "-" ? -a : a});
  }
  return out;
}

}  // namespace

TEST(ElfReader, ReadsWhatGnuAsWrote) {
  const std::string path = jit_test::assemble("reader", kSource);
  ASSERT_FALSE(path.empty());
  auto o = elf::read_relocatable_file(path);
  ASSERT_TRUE(o.ok()) << o.error().message;
  auto text = o->find_section(".text");
  auto data = o->find_section(".data");
  auto bss = o->find_section(".bss");
  ASSERT_TRUE(text && data && bss && o->find_section(".rodata.cst8"));
  EXPECT_TRUE(o->sections[*text].is_code());
  EXPECT_TRUE(o->sections[*data].is_writable());
  EXPECT_EQ(o->sections[*bss].size(), 64u);
  auto f = o->find_symbol("f");
  ASSERT_TRUE(f);
  EXPECT_EQ(o->symbols[*f].binding, obj::Binding::Global);
  EXPECT_EQ(o->symbols[*f].kind, obj::SymbolKind::Func);
  EXPECT_EQ(o->symbols[*f].section, text);
  EXPECT_FALSE(o->symbols[*o->find_symbol("ext_fn")].defined());

  const auto expected = readelf_relocs(path);
  ASSERT_FALSE(expected.empty());
  ASSERT_EQ(o->relocations.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    const auto& r = o->relocations[i];
    SCOPED_TRACE(expected[i].type + " " + expected[i].symbol);
    EXPECT_EQ(o->sections[r.section].name, expected[i].section);
    EXPECT_EQ(r.offset, expected[i].offset);
    EXPECT_EQ(link::relocation_name(r.type), expected[i].type);
    EXPECT_EQ(o->symbols[r.symbol].name, expected[i].symbol);
    EXPECT_EQ(r.addend, expected[i].addend);
  }
}

TEST(ElfReader, MalformedInputIsAnErrorNotACrash) {
  const std::string path = jit_test::assemble("malformed", kSource);
  ASSERT_FALSE(path.empty());
  const auto good = jit_test::read_bytes(path);
  ASSERT_TRUE(elf::read_relocatable(good, "good").ok());
  // Every truncation.
  for (size_t n = 0; n < good.size(); ++n) {
    std::vector<uint8_t> cut(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(n));
    auto r = elf::read_relocatable(cut, "cut");
    if (n < 64) {
      ASSERT_FALSE(r.ok());
      EXPECT_NE(r.error().message.find("cut: malformed ELF object"), std::string::npos);
    }
  }
  // Every byte of the headers and tables set to a few hostile values.
  for (size_t i = 0; i < good.size(); ++i) {
    for (uint8_t v : {uint8_t{0}, uint8_t{0x7f}, uint8_t{0xff}}) {
      auto bad = good;
      bad[i] = v;
      (void)elf::read_relocatable(bad, "corrupt");  // must not crash (ASan/UBSan)
    }
  }
  EXPECT_FALSE(elf::read_relocatable_file(jit_test::temp_dir() + "/no-such.o").ok());
  std::string text_file(100, 'x');
  EXPECT_FALSE(elf::read_relocatable(std::span(reinterpret_cast<const uint8_t*>(text_file.data()),
                                               text_file.size()), "text").ok());
}

TEST(ElfArchive, ReadsMembersInOrderAsArWrote) {
  const std::string a = jit_test::assemble("member_a", ".text\n.globl in_a\nin_a: ret\n");
  // A long member name exercises the GNU long-name table.
  const std::string b = jit_test::assemble("member_with_a_rather_long_name_b",
                                           ".data\n.globl in_b\nin_b: .quad in_a\n");
  ASSERT_FALSE(a.empty() || b.empty());
  const std::string lib = jit_test::temp_dir() + "/lib.a";
  std::remove(lib.c_str());
  ASSERT_EQ(jit_test::run("ar rc " + lib + " " + a + " " + b), 0);
  auto members = elf::read_archive_file(lib);
  ASSERT_TRUE(members.ok()) << members.error().message;
  ASSERT_EQ(members->size(), 2u);
  EXPECT_EQ((*members)[0].name, lib + "(member_a.o)");
  EXPECT_EQ((*members)[1].name, lib + "(member_with_a_rather_long_name_b.o)");
  EXPECT_TRUE((*members)[0].find_symbol("in_a"));
  EXPECT_TRUE((*members)[1].find_symbol("in_b"));
  // Truncated archives are errors, not crashes.
  const auto bytes = jit_test::read_bytes(lib);
  for (size_t n = 0; n < bytes.size(); n += 7) {
    std::vector<uint8_t> cut(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(n));
    auto r = elf::read_archive(cut, "cut.a");
    if (n < 8) {
      EXPECT_FALSE(r.ok());
    }
  }
}

// Library archives are mapped, not copied: a file cut short by someone else
// while it is mapped reads as zeros where it vanished (no SIGBUS), and the
// mapping says it is no longer intact.
TEST(FileBytes, MappedFileTruncatedMeanwhileReadsZerosAndIsNotIntact) {
  test_support::TempDir dir;
  const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  const std::string path = dir.file("cut.a", std::string(3 * page, 'x'));
  auto file = elf::read_file_bytes(path);
  ASSERT_TRUE(file.ok()) << file.error().message;
  ASSERT_EQ(file->bytes().size(), 3 * page);
  EXPECT_TRUE(file->intact());
  EXPECT_EQ(file->bytes()[2 * page + 5], 'x');
  ASSERT_EQ(truncate(path.c_str(), static_cast<off_t>(page)), 0);
  EXPECT_EQ(file->bytes()[page - 1], 'x');  // still in the file
  // Beyond the new end: a fault the guard turns into zeros.
  const volatile uint8_t* bytes = file->bytes().data();
  EXPECT_EQ(bytes[2 * page + 5], 0);
  EXPECT_FALSE(file->intact());
  // Another mapping is not affected.
  const std::string other = dir.file("whole.a", std::string(2 * page, 'y'));
  auto whole = elf::read_file_bytes(other);
  ASSERT_TRUE(whole.ok());
  EXPECT_TRUE(whole->intact());
  EXPECT_EQ(whole->bytes()[2 * page - 1], 'y');
}

// A fault outside any guarded mapping keeps its default action.
TEST(FileBytesDeathTest, SigbusOutsideGuardedFilesStillKills) {
  test_support::TempDir dir;
  const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  auto guard_installed = elf::read_file_bytes(dir.file("any.a", "!<arch>\n"));  // installs the handler
  ASSERT_TRUE(guard_installed.ok());
  EXPECT_DEATH(
      {
        const std::string path = dir.file("plain", std::string(2 * page, 'z'));
        const int fd = open(path.c_str(), O_RDONLY);
        auto* p = static_cast<const volatile uint8_t*>(mmap(nullptr, 2 * page, PROT_READ, MAP_PRIVATE, fd, 0));
        if (truncate(path.c_str(), 0) != 0) std::abort();
        (void)p[page + 1];
      },
      "");
}
