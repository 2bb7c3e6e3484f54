// The in-process JIT path (decode -> assemble -> link -> debug registration)
// allocates nothing per tiny unit in steady state, beyond the amortised
// growth of the session's tables (symbols, gdb images). Counted by replacing operator new in this test binary: counts of
// allocations, never times. Also: assembling and linking into reused
// objects gives exactly what fresh ones give.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <new>
#include <string>
#include <vector>

#include "asm/assembler.hpp"
#include "debug/debug.hpp"
#include "ir/decode.hpp"
#include "link/linker.hpp"
#include "memory/memory.hpp"
#include "support/gas_parser.hpp"

namespace {

// Allocations made while `counting` is set.
bool counting = false;
size_t allocations = 0;

void* allocate(std::size_t n) {
  if (counting) ++allocations;
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}

void* allocate_aligned(std::size_t n, std::align_val_t a) {
  if (counting) ++allocations;
  const auto al = static_cast<std::size_t>(a);
  if (void* p = std::aligned_alloc(al, (n + al - 1) / al * al)) return p;
  throw std::bad_alloc();
}

}  // namespace

void* operator new(std::size_t n) { return allocate(n); }
void* operator new[](std::size_t n) { return allocate(n); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  try { return allocate(n); } catch (...) { return nullptr; }
}
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept {
  try { return allocate(n); } catch (...) { return nullptr; }
}
void* operator new(std::size_t n, std::align_val_t a) { return allocate_aligned(n, a); }
void* operator new[](std::size_t n, std::align_val_t a) { return allocate_aligned(n, a); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }

using namespace ocamljit;

namespace {

// Counts the allocations of its scope.
struct Count {
  size_t& into;
  size_t start = allocations;
  explicit Count(size_t& out) : into(out) { counting = true; }
  ~Count() {
    counting = false;
    into += allocations - start;
  }
};

// A toplevel phrase as the compiler emits it (`let fK y = y * K + 1;;`
// with its module block, closure, frametable and GC roots), unit `camlTOP<k>`.
std::string tiny_phrase(int k) {
  const std::string u = "camlTOP" + std::to_string(k);
  const std::string f = u + "__f" + std::to_string(k) + "_" + std::to_string(100 + k);
  std::string s;
  auto line = [&](const std::string& l) { s += l + "\n"; };
  line("\t.file \"\"");
  line("\t.section .rodata.cst16,\"aM\",@progbits,16");
  line("\t.align\t16");
  line("caml_negf_mask:");
  line("\t.quad\t0x8000000000000000");
  line("\t.quad\t0");
  line("\t.align\t16");
  line("caml_absf_mask:");
  line("\t.quad\t0x7fffffffffffffff");
  line("\t.quad\t-1");
  line("\t.data");
  line("\t.globl\t" + u + "__data_begin");
  line(u + "__data_begin:");
  line("\t.text");
  line("\t.globl\t" + u + "__code_begin");
  line(u + "__code_begin:");
  line("\t.data");
  line("\t.align\t8");
  line("\t.quad\t3063");
  line(u + "__10:");
  line("\t.quad\t" + f);
  line("\t.quad\t0x100000000000005");
  line("\t.align\t8");
  line("\t.quad\t1792");
  line("\t.globl\t" + u);
  line(u + ":");
  line("\t.quad\t1");
  line("\t.align\t8");
  line("\t.globl\t" + u + "__gc_roots");
  line(u + "__gc_roots:");
  line("\t.quad\t" + u);
  line("\t.quad\t0");
  line("\t.text");
  line("\t.align\t16");
  line("\t.globl\t" + f);
  line(f + ":");
  line("\t.file\t1\t\"/tmp/phrases.ml\"");
  line("\t.loc\t1\t" + std::to_string(k) + "\t8");
  line("\t.cfi_startproc");
  line("\tsubq\t$8, %rsp");
  line("\t.cfi_adjust_cfa_offset 8");
  line(".L" + std::to_string(k) + "01:");
  line("\t.loc\t1\t" + std::to_string(k) + "\t12");
  line("\timulq\t$" + std::to_string(k) + ", %rax");
  line("\taddq\t$11, %rax");
  line("\tcmpq\t$1, %rax");
  line("\tjne\t.L" + std::to_string(k) + "01");
  line("\taddq\t$8, %rsp");
  line("\t.cfi_adjust_cfa_offset -8");
  line("\tret");
  line("\t.cfi_endproc");
  line("\t.type " + f + ",@function");
  line("\t.size " + f + ",. - " + f);
  line("\t.text");
  line("\t.align\t16");
  line("\t.globl\t" + u + "__entry");
  line(u + "__entry:");
  line("\t.cfi_startproc");
  line("\tmovq\t" + u + "__10@GOTPCREL(%rip), %rax");
  line("\tmovq\t" + u + "@GOTPCREL(%rip), %rbx");
  line("\tmovq\t%rax, (%rbx)");
  line("\tcall\tcaml_outside_function@PLT");
  line("\tmovl\t$1, %eax");
  line("\tret");
  line("\t.cfi_endproc");
  line("\t.type " + u + "__entry,@function");
  line("\t.size " + u + "__entry,. - " + u + "__entry");
  line("\t.text");
  line("\t.globl\t" + u + "__code_end");
  line(u + "__code_end:");
  line("\t.data");
  line("\t.quad\t0");
  line("\t.globl\t" + u + "__data_end");
  line(u + "__data_end:");
  line("\t.quad\t0");
  line("\t.align\t8");
  line("\t.globl\t" + u + "__frametable");
  line(u + "__frametable:");
  line("\t.quad\t1");
  line("\t.quad\t.L" + std::to_string(k) + "01");
  line("\t.word\t16");
  line("\t.word\t0");
  line("\t.align\t8");
  line("\t.size " + u + "__frametable,. - " + u + "__frametable");
  line("\t.section .note.GNU-stack,\"\",%progbits");
  return s;
}

std::vector<ir::Program> tiny_phrases(int first, int count) {
  std::vector<ir::Program> out;
  for (int k = first; k < first + count; ++k) {
    auto p = ocamljit::testing::parse_gas(tiny_phrase(k));
    EXPECT_TRUE(p.ok()) << p.error().message;
    if (p) out.push_back(std::move(*p));
  }
  return out;
}

// What the units' references outside themselves resolve to.
void outside_function() {}

struct Session {
  std::unique_ptr<memory::Memory> memory;
  std::unique_ptr<link::Linker> linker;
  Session() {
    auto m = memory::Memory::create(memory::host_image(), size_t{64} << 20);
    EXPECT_TRUE(m.ok()) << m.error().message;
    memory = std::move(*m);
    linker = std::make_unique<link::Linker>(*memory, [](const std::string&) -> std::optional<uint64_t> {
      return reinterpret_cast<uint64_t>(&outside_function);
    });
  }
};

TEST(JitAllocations, TinyUnitsInSteadyState) {
  constexpr int kWarm = 100, kUnits = 400;
  const std::vector<ir::Program> programs = tiny_phrases(1, kWarm + kUnits);
  ASSERT_EQ(programs.size(), static_cast<size_t>(kWarm + kUnits));
  Session session;
  obj::Object object;
  link::LinkedUnit linked;
  size_t assembling = 0, linking = 0, registering = 0;
  for (int k = 0; k < kWarm + kUnits; ++k) {
    const bool measured = k >= kWarm;
    size_t a = 0, l = 0, r = 0;
    {
      Count c(a);
      Status s = assembler::assemble(programs[k], "TOP" + std::to_string(k), object);
      ASSERT_TRUE(s.ok()) << s.error().message;
    }
    {
      Count c(l);
      Status s = session.linker->link(object, {}, linked);
      ASSERT_TRUE(s.ok()) << s.error().message;
    }
    {
      Count c(r);
      debug::on_unit_loaded(object, linked);
    }
    if (measured) {
      assembling += a;
      linking += l;
      registering += r;
    }
  }
  // Assembling reuses everything (a buffer may still grow, rarely: names
  // lengthen as the unit numbers do). Before reuse: ~40 per unit.
  EXPECT_LE(assembling, static_cast<size_t>(kUnits / 50)) << "allocations while assembling " << kUnits << " tiny units";
  // The session's symbol table grows (doubling, names in 64 KiB blocks): a
  // handful of allocations over hundreds of units, none per unit. Before: ~20 per unit.
  EXPECT_LE(linking, static_cast<size_t>(kUnits / 20)) << "allocations while linking " << kUnits << " tiny units";
  // The gdb image of each unit lives as long as the unit, in chunks of
  // images mapped a few hundred KiB at a time (not counted here: mmap).
  EXPECT_LE(registering, static_cast<size_t>(kUnits / 50)) << "allocations while registering " << kUnits << " units";
  // Every unit's globals are found: the reused LinkedUnit did not leak names across units.
  for (int k = 1; k <= kWarm + kUnits; k += 97) {
    const std::string name = "camlTOP" + std::to_string(k) + "__entry";
    EXPECT_TRUE(session.linker->lookup_linked(name).has_value()) << name;
  }
}

// Decoding into a reused Program allocates nothing once it has held a unit as large.
TEST(JitAllocations, DecodingIntoAReusedProgram) {
  const std::filesystem::path dir = std::filesystem::path(OCAMLJIT_SOURCE_DIR) / "tests" / "fuzz" / "ir";
  std::vector<std::vector<uint8_t>> irs;
  for (const char* name : {"floats.ir", "ints.ir", "control.ir", "data.ir", "startup.ir"}) {
    std::ifstream in(dir / name, std::ios::binary);
    irs.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>{});
    ASSERT_FALSE(irs.back().empty()) << name;
  }
  ir::Program program;
  for (const auto& b : irs) ASSERT_TRUE(ir::decode(b.data(), b.size(), program).ok());
  size_t n = 0;
  for (int round = 0; round < 3; ++round)
    for (const auto& b : irs) {
      Count c(n);
      ASSERT_TRUE(ir::decode(b.data(), b.size(), program).ok());
    }
  EXPECT_EQ(n, 0u);
}

void expect_same(const obj::Object& a, const obj::Object& b, const std::string& what) {
  EXPECT_EQ(a.name, b.name) << what;
  ASSERT_EQ(a.sections.size(), b.sections.size()) << what;
  for (size_t k = 0; k < a.sections.size(); ++k) {
    const auto &x = a.sections[k], &y = b.sections[k];
    EXPECT_EQ(x.name, y.name) << what;
    EXPECT_EQ(x.type, y.type) << what << " " << x.name;
    EXPECT_EQ(x.flags, y.flags) << what << " " << x.name;
    EXPECT_EQ(x.alignment, y.alignment) << what << " " << x.name;
    EXPECT_EQ(x.entsize, y.entsize) << what << " " << x.name;
    EXPECT_EQ(x.bytes, y.bytes) << what << " " << x.name;
    EXPECT_EQ(x.nobits_size, y.nobits_size) << what << " " << x.name;
  }
  ASSERT_EQ(a.symbols.size(), b.symbols.size()) << what;
  for (size_t k = 0; k < a.symbols.size(); ++k) {
    const auto &x = a.symbols[k], &y = b.symbols[k];
    EXPECT_EQ(x.name, y.name) << what;
    EXPECT_EQ(x.section, y.section) << what << " " << x.name;
    EXPECT_EQ(x.value, y.value) << what << " " << x.name;
    EXPECT_EQ(x.size, y.size) << what << " " << x.name;
    EXPECT_EQ(x.binding, y.binding) << what << " " << x.name;
    EXPECT_EQ(x.kind, y.kind) << what << " " << x.name;
    EXPECT_EQ(x.absolute, y.absolute) << what << " " << x.name;
  }
  ASSERT_EQ(a.relocations.size(), b.relocations.size()) << what;
  for (size_t k = 0; k < a.relocations.size(); ++k) {
    const auto &x = a.relocations[k], &y = b.relocations[k];
    EXPECT_TRUE(x.section == y.section && x.offset == y.offset && x.type == y.type && x.symbol == y.symbol &&
                x.addend == y.addend)
        << what << " relocation " << k;
  }
  EXPECT_EQ(a.files, b.files) << what;
  ASSERT_EQ(a.lines.size(), b.lines.size()) << what;
  for (size_t k = 0; k < a.lines.size(); ++k)
    EXPECT_TRUE(a.lines[k].section == b.lines[k].section && a.lines[k].offset == b.lines[k].offset &&
                a.lines[k].line == b.lines[k].line && a.lines[k].column == b.lines[k].column &&
                a.lines[k].file == b.lines[k].file)
        << what << " line entry " << k;
}

// Units of every shape (the IR seed corpus, tiny phrases), big after small
// and small after big, into one reused Object: each as assembled afresh.
TEST(JitAllocations, ReusedObjectAssemblesLikeAFreshOne) {
  const std::filesystem::path dir = std::filesystem::path(OCAMLJIT_SOURCE_DIR) / "tests" / "fuzz" / "ir";
  std::vector<std::vector<uint8_t>> irs;
  std::vector<ir::Program> programs;
  for (const char* name : {"floats.ir", "ints.ir", "control.ir", "data.ir", "startup.ir"}) {
    std::ifstream in(dir / name, std::ios::binary);
    irs.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>{});
  }
  for (const auto& b : irs) {
    auto p = ir::decode(b.data(), b.size());
    ASSERT_TRUE(p.ok()) << p.error().message;
    programs.push_back(std::move(*p));
  }
  for (auto& p : tiny_phrases(7, 3)) programs.push_back(std::move(p));
  obj::Object reused;
  for (int round = 0; round < 2; ++round)
    for (size_t i = 0; i < programs.size(); ++i) {
      const size_t k = round == 0 ? i : programs.size() - 1 - i;
      const std::string name = "unit" + std::to_string(k);
      auto fresh = assembler::assemble(programs[k], name);
      Status s = assembler::assemble(programs[k], name, reused);
      ASSERT_EQ(fresh.ok(), s.ok()) << name;
      if (!fresh) continue;
      expect_same(reused, *fresh, name);
    }
}

// The same over the real units `make asmdiff` dumps (stdlib, testsuite): one
// Object receives them all, in order then in reverse, each compared with a
// fresh assembly (which asmdiff compares with GNU as).
TEST(JitAllocations, ReusedObjectOverTheAsmdiffCorpus) {
  const std::filesystem::path root = std::filesystem::path(OCAMLJIT_BINARY_DIR) / ".." / "asmdiff";
  ASSERT_TRUE(std::filesystem::is_directory(root)) << root << " is missing: run `make asmdiff` first";
  std::vector<std::filesystem::path> paths;
  for (const auto& e : std::filesystem::recursive_directory_iterator(root))
    if (e.is_regular_file() && e.path().extension() == ".ir") paths.push_back(e.path());
  std::sort(paths.begin(), paths.end());
  ASSERT_GE(paths.size(), 64u) << "too few IR dumps under " << root;
  obj::Object reused;
  ir::Program program;
  size_t compared = 0;
  for (int round = 0; round < 2; ++round)
    for (size_t i = 0; i < paths.size(); ++i) {
      const auto& path = paths[round == 0 ? i : paths.size() - 1 - i];
      std::ifstream in(path, std::ios::binary);
      const std::vector<uint8_t> bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>{}};
      ASSERT_TRUE(ir::decode(bytes.data(), bytes.size(), program).ok()) << path;
      auto fresh = assembler::assemble(program, path.stem().string());
      Status s = assembler::assemble(program, path.stem().string(), reused);
      ASSERT_EQ(fresh.ok(), s.ok()) << path;
      if (!fresh) continue;
      expect_same(reused, *fresh, path.string());
      ++compared;
      if (::testing::Test::HasFailure()) return;
    }
  EXPECT_GE(compared, 128u);
}

// A failed unit leaves the reused Object and LinkedUnit fit for the next one.
TEST(JitAllocations, ErrorsLeaveReusedObjectsUsable) {
  Session session;
  obj::Object object;
  link::LinkedUnit linked;
  auto bad = ocamljit::testing::parse_gas("\t.text\n\tjmp\t.Lnowhere\n");
  ASSERT_TRUE(bad.ok());
  EXPECT_FALSE(assembler::assemble(*bad, "bad", object).ok());
  auto undefined = ocamljit::testing::parse_gas("\t.text\n\t.globl\tx\nx:\n\tcall\tnot_defined_anywhere\n");
  ASSERT_TRUE(undefined.ok());
  ASSERT_TRUE(assembler::assemble(*undefined, "undef", object).ok());
  link::Linker strict(*session.memory, [](const std::string&) -> std::optional<uint64_t> { return std::nullopt; });
  EXPECT_FALSE(strict.link(object, {}, linked).ok());
  const auto good = tiny_phrases(5000, 1);
  ASSERT_TRUE(assembler::assemble(good[0], "TOP5000", object).ok());
  ASSERT_TRUE(session.linker->link(object, {}, linked).ok());
  EXPECT_TRUE(linked.globals.count("camlTOP5000__entry"));
  ASSERT_EQ(linked.functions.size(), 2u);
  EXPECT_EQ(linked.name_of(linked.functions[0]), "camlTOP5000__f5000_5100");
  auto fresh = assembler::assemble(good[0], "TOP5000");
  ASSERT_TRUE(fresh.ok());
  expect_same(object, *fresh, "after errors");
}

}  // namespace
