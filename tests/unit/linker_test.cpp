#include "link/linker.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <map>

#include "jit_test_support.hpp"
#include "object/elf/reader.hpp"

using namespace ocamljit;

namespace {

int near_function(int x) { return x + 1; }  // in the test executable: within reach
int64_t near_data = 7;

struct Fixture {
  std::unique_ptr<memory::Memory> memory;
  std::map<std::string, uint64_t> outside;  // the "process" for these tests
  std::unique_ptr<link::Linker> linker;

  Fixture() {
    auto m = memory::Memory::create(memory::host_image(), size_t{16} << 20);
    EXPECT_TRUE(m.ok());
    memory = std::move(*m);
    linker = std::make_unique<link::Linker>(*memory, [this](const std::string& name)
                                                         -> std::optional<uint64_t> {
      auto it = outside.find(name);
      if (it == outside.end()) return std::nullopt;
      return it->second;
    });
  }
};

obj::Object read(const std::string& name, const std::string& source) {
  const std::string path = jit_test::assemble(name, source);
  EXPECT_FALSE(path.empty());
  auto o = elf::read_relocatable_file(path);
  EXPECT_TRUE(o.ok()) << (o.ok() ? "" : o.error().message);
  o->name = name;
  return std::move(*o);
}

const uint8_t* section_bytes(const link::LinkedUnit& u, const std::string& symbol) {
  return reinterpret_cast<const uint8_t*>(u.globals.at(symbol));
}

}  // namespace

// Every relocation type that needs no GOT, applied by us and by GNU ld with the
// same section and symbol addresses: the bytes must be identical.
TEST(Linker, RelocationsMatchGnuLd) {
  Fixture fx;
  fx.outside["ext_fn"] = reinterpret_cast<uint64_t>(&near_function);
  fx.outside["ext_data"] = reinterpret_cast<uint64_t>(&near_data);
  fx.outside["small"] = 0x1234;
  auto o = read("reloc_oracle", R"(
  .text
  .globl text_start
text_start:
  call ext_fn@PLT
  call ext_fn
  lea data_start(%rip), %rax
  mov ext_data(%rip), %rax
  movabs $data_start+3, %rax
  movabs $ext_data-5, %rax
  movl $small, %eax
  mov small(,%rax,8), %rax
  ret
  .data
  .globl data_start
data_start:
  .quad text_start
  .quad ext_data-8
  .long text_start-.
  .long ext_fn-.+100
  .quad ext_fn-.
  .word small
  .byte small-0x1200
  .align 8
  .globl data_end
data_end:
)");
  auto u = fx.linker->link(o);
  ASSERT_TRUE(u.ok()) << u.error().message;
  const uint64_t text = u->globals.at("text_start");
  const uint64_t data = u->globals.at("data_start");
  const auto obj_path = jit_test::temp_dir() + "/reloc_oracle.o";
  const auto exe = jit_test::temp_dir() + "/reloc_oracle.elf";
  char cmd[1024];
  std::snprintf(cmd, sizeof cmd,
                "ld -m elf_x86_64 --no-relax -e 0 -o %s --section-start=.text=0x%llx "
                "--section-start=.data=0x%llx --defsym ext_fn=0x%llx --defsym ext_data=0x%llx "
                "--defsym small=0x1234 %s",
                exe.c_str(), (unsigned long long)text, (unsigned long long)data,
                (unsigned long long)fx.outside["ext_fn"], (unsigned long long)fx.outside["ext_data"],
                obj_path.c_str());
  ASSERT_EQ(jit_test::run(cmd), 0) << cmd;
  for (const char* sec : {".text", ".data"}) {
    const auto bin = jit_test::temp_dir() + "/reloc_oracle" + sec + ".bin";
    ASSERT_EQ(jit_test::run("objcopy -O binary --only-section=" + std::string(sec) + " " + exe + " " + bin), 0);
    const auto expected = jit_test::read_bytes(bin);
    const auto& ours = o.sections[*o.find_section(sec)];
    ASSERT_EQ(expected.size(), ours.size()) << sec;
    const uint8_t* got = reinterpret_cast<const uint8_t*>(std::string(sec) == ".text" ? text : data);
    for (size_t i = 0; i < expected.size(); ++i) EXPECT_EQ(got[i], expected[i]) << sec << "+" << i;
  }
  EXPECT_EQ(u->plt_stubs, 0u);
  EXPECT_EQ(u->got_slots, 0u);
}

// Far targets get PLT stubs and GOT slots; a mov through the GOT to a near
// target becomes a lea. The code is run to check it.
TEST(Linker, GotAndPltPass) {
  Fixture fx;
  fx.outside["far_fn"] = reinterpret_cast<uint64_t>(&labs);  // in libc: out of ±2 GiB
  fx.outside["far_data"] = reinterpret_cast<uint64_t>(&errno);
  fx.outside["near_fn"] = reinterpret_cast<uint64_t>(&near_function);
  const auto span = fx.memory->span();
  ASSERT_GT(fx.outside["far_fn"] - span.lo, uint64_t{1} << 31) << "libc within reach: test is moot";
  auto o = read("gotplt", R"(
  .text
  .globl call_far
call_far:
  sub $8, %rsp
  call far_fn@PLT
  add $8, %rsp
  ret
  .globl call_near
call_near:
  jmp near_fn@PLT
  .globl load_far
load_far:
  mov far_data@GOTPCREL(%rip), %rax
  ret
  .globl load_near
load_near:
  mov here@GOTPCREL(%rip), %rax
  ret
  .globl load_near_nonmov
load_near_nonmov:
  xor %eax, %eax
  add here@GOTPCREL(%rip), %rax
  ret
  .data
  .globl here
here:
  .quad 99
)");
  auto u = fx.linker->link(o);
  ASSERT_TRUE(u.ok()) << u.error().message;
  EXPECT_EQ(u->plt_stubs, 1u);
  EXPECT_EQ(u->got_slots, 3u);  // far_fn (for its stub), far_data, and `here` (add: not relaxable)
  EXPECT_EQ(u->relaxed, 1u);
  auto call_far = reinterpret_cast<long (*)(long)>(u->globals.at("call_far"));
  auto call_near = reinterpret_cast<int (*)(int)>(u->globals.at("call_near"));
  auto load_far = reinterpret_cast<uint64_t (*)()>(u->globals.at("load_far"));
  auto load_near = reinterpret_cast<uint64_t (*)()>(u->globals.at("load_near"));
  EXPECT_EQ(call_far(-5), 5);
  EXPECT_EQ(call_near(41), 42);
  EXPECT_EQ(load_far(), fx.outside["far_data"]);
  EXPECT_EQ(load_near(), u->globals.at("here"));
  EXPECT_EQ(section_bytes(*u, "load_near")[1], 0x8d);  // lea
  auto load_near_nonmov = reinterpret_cast<uint64_t (*)(uint64_t)>(u->globals.at("load_near_nonmov"));
  EXPECT_EQ(load_near_nonmov(0), u->globals.at("here"));
}

TEST(Linker, ResolutionOrder) {
  Fixture fx;
  int64_t host_value = 1;
  fx.outside["shared"] = reinterpret_cast<uint64_t>(&host_value);
  fx.outside["only_host"] = reinterpret_cast<uint64_t>(&near_data);
  // Unit 1 defines `shared`: its own references use its own definition.
  auto u1 = fx.linker->link(read("order1", R"(
  .data
  .globl shared
shared: .quad 11
  .globl self_ref
self_ref: .quad shared
)"));
  ASSERT_TRUE(u1.ok()) << u1.error().message;
  EXPECT_EQ(*reinterpret_cast<uint64_t*>(u1->globals.at("self_ref")), u1->globals.at("shared"));
  // Unit 2 sees unit 1's `shared` before the host's, and the host for the rest.
  auto u2 = fx.linker->link(read("order2", R"(
  .data
  .globl refs
refs: .quad shared
  .quad only_host
)"));
  ASSERT_TRUE(u2.ok()) << u2.error().message;
  auto* refs = reinterpret_cast<uint64_t*>(u2->globals.at("refs"));
  EXPECT_EQ(refs[0], u1->globals.at("shared"));
  EXPECT_EQ(refs[1], fx.outside["only_host"]);
  EXPECT_EQ(fx.linker->lookup("shared"), u1->globals.at("shared"));
  EXPECT_EQ(fx.linker->lookup("only_host"), fx.outside["only_host"]);
  EXPECT_FALSE(fx.linker->lookup_linked("only_host"));
  // Locals are not published.
  auto u3 = fx.linker->link(read("order3", ".data\nlocal_thing: .quad 1\n"));
  ASSERT_TRUE(u3.ok());
  EXPECT_FALSE(fx.linker->lookup("local_thing"));
}

TEST(Linker, UndefinedSymbolIsAnErrorThatLeavesNoTrace) {
  Fixture fx;
  auto ok = fx.linker->link(read("before", ".text\n.globl before_fn\nbefore_fn: ret\n"));
  ASSERT_TRUE(ok.ok());
  const size_t used = fx.memory->used();
  auto bad = fx.linker->link(read("bad_unit", R"(
  .text
  .globl would_be_defined
would_be_defined:
  nop
  call no_such_prim@PLT
  call another_missing@PLT
)"));
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("undefined symbol no_such_prim"), std::string::npos)
      << bad.error().message;
  EXPECT_NE(bad.error().message.find("bad_unit .text+0x2"), std::string::npos) << bad.error().message;
  EXPECT_NE(bad.error().message.find("1 more"), std::string::npos);
  ASSERT_EQ(fx.linker->last_undefined().size(), 2u);
  EXPECT_EQ(fx.linker->last_undefined()[0], "no_such_prim");
  EXPECT_FALSE(fx.linker->lookup("would_be_defined"));
  EXPECT_EQ(fx.memory->used(), used);
  // The session goes on.
  auto after = fx.linker->link(read("after", ".text\n.globl after_fn\nafter_fn: ret\n"));
  EXPECT_TRUE(after.ok());
}

TEST(Linker, OverflowIsAnErrorNamingTheSymbol) {
  Fixture fx;
  fx.outside["far_data"] = reinterpret_cast<uint64_t>(&errno);
  fx.outside["big"] = uint64_t{1} << 40;
  const size_t used = fx.memory->used();
  auto pc32 = fx.linker->link(read("ovf1", ".text\nmov far_data(%rip), %rax\n"));
  ASSERT_FALSE(pc32.ok());
  EXPECT_NE(pc32.error().message.find("R_X86_64_PC32 against far_data at ovf1 .text+0x3 overflows"),
            std::string::npos) << pc32.error().message;
  auto abs32 = fx.linker->link(read("ovf2", ".text\nmovl $big, %eax\n"));
  ASSERT_FALSE(abs32.ok());
  EXPECT_NE(abs32.error().message.find("R_X86_64_32 against big"), std::string::npos);
  auto abs32s = fx.linker->link(read("ovf3", ".text\nmov big(,%rax,8), %rax\n"));
  ASSERT_FALSE(abs32s.ok());
  EXPECT_NE(abs32s.error().message.find("R_X86_64_32S against big"), std::string::npos);
  auto pc8 = fx.linker->link(read("ovf4", ".data\n.byte big-.\n"));
  ASSERT_FALSE(pc8.ok());
  EXPECT_NE(pc8.error().message.find("R_X86_64_PC8 against big"), std::string::npos);
  EXPECT_EQ(fx.memory->used(), used);
}

TEST(Linker, OcamlUnitFromOcamlopt) {
  // A real OCaml unit (compiled by ocamlopt, assembled by GNU as) links
  // against this process's symbols, save for the OCaml runtime it lacks.
  const auto ml = jit_test::write_file("unit_ml.ml", "let f x = x + 1\nlet () = print_int (f 1)\n");
  const auto o = jit_test::temp_dir() + "/unit_ml.o";
  ASSERT_EQ(jit_test::run("cd " + jit_test::temp_dir() + " && ocamlopt -c unit_ml.ml"), 0);
  auto obj = elf::read_relocatable_file(o);
  ASSERT_TRUE(obj.ok()) << obj.error().message;
  Fixture fx;
  auto u = fx.linker->link(*obj);
  ASSERT_FALSE(u.ok());  // no OCaml runtime in this test program
  EXPECT_NE(u.error().message.find("undefined symbol caml"), std::string::npos) << u.error().message;
  // Defining every undefined symbol somewhere near makes it link.
  for (const auto& name : fx.linker->last_undefined())
    fx.outside[name] = reinterpret_cast<uint64_t>(&near_data);
  auto again = fx.linker->link(*obj);
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_TRUE(again->globals.count("camlUnit_ml__code_begin"));
  EXPECT_TRUE(again->globals.count("camlUnit_ml__frametable"));
}

TEST(Linker, SizedFunctionsAreReportedForProfilers) {
  Fixture fx;
  auto u = fx.linker->link(read("funcs", R"(
  .text
  .type local_fn, @function
local_fn:
  ret
  .size local_fn, .-local_fn
  .globl global_fn
  .type global_fn, @function
global_fn:
  nop
  ret
  .size global_fn, .-global_fn
unsized:
  ret
)"));
  ASSERT_TRUE(u.ok()) << u.error().message;
  ASSERT_EQ(u->functions.size(), 2u);
  EXPECT_EQ(u->name_of(u->functions[0]), "local_fn");
  EXPECT_EQ(u->functions[0].size, 1u);
  EXPECT_EQ(u->name_of(u->functions[1]), "global_fn");
  EXPECT_EQ(u->functions[1].address, u->globals.at("global_fn"));
  EXPECT_EQ(u->functions[1].size, 2u);
}
