// Link groups and library linking: real Debian archives (str, unix, zarith +
// the system libgmp) and objects built by gcc/g++ at test time (cycles,
// weak/COMMON, constructors, TLS, C++ exceptions, COMDAT), plus bad inputs.
#include "link/library.hpp"

#include <dlfcn.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <random>
#include <stdexcept>
#include <thread>

#include "link/group.hpp"
#include "link/tls.hpp"
#include "object/elf/archive.hpp"
#include "object/elf/reader.hpp"
#include "support/temp_dir.hpp"

using namespace ocamljit;

namespace {

int ocaml_runtime_stand_in() { return 0; }
// CAMLparam/CAMLreturn in stubs push and pop local roots through Caml_state:
// a zeroed domain state lets stubs that do not allocate run without a runtime.
alignas(64) uint64_t fake_domain_state[512];
uint64_t* Caml_state_stand_in = fake_domain_state;
// Custom blocks (zarith's big integers) from a static arena: header, ops, data.
alignas(16) uint64_t custom_arena[1 << 14];
size_t custom_top = 0;
uint64_t fake_alloc_custom(void* ops, uint64_t bytes, uint64_t, uint64_t) {
  const size_t words = 2 + (bytes + 7) / 8;
  if (custom_top + words > std::size(custom_arena)) std::abort();
  uint64_t* block = custom_arena + custom_top;
  custom_top += words;
  block[0] = ((words - 1) << 10) | 255;  // Custom_tag
  block[1] = reinterpret_cast<uint64_t>(ops);
  return reinterpret_cast<uint64_t>(block + 1);
}

// The process for these tests: dlsym, plus a stand-in for the OCaml runtime
// and stdlib (caml*), which this executable does not contain: only linking
// is checked for OCaml units, never their code.
std::optional<uint64_t> resolve(const std::string& name) {
  if (auto a = link::process_resolver()(name)) return a;
  if (name == "Caml_state") return reinterpret_cast<uint64_t>(&Caml_state_stand_in);
  if (name == "caml_alloc_custom") return reinterpret_cast<uint64_t>(&fake_alloc_custom);
  if (name.rfind("caml", 0) == 0 || name.rfind("Caml", 0) == 0) return reinterpret_cast<uint64_t>(&ocaml_runtime_stand_in);
  return std::nullopt;
}

struct Fixture {
  std::unique_ptr<memory::Memory> memory;
  std::unique_ptr<link::Linker> linker;
  std::unique_ptr<link::LibraryLinker> libraries;
  test_support::TempDir dir;

  Fixture() {
    auto m = memory::Memory::create(memory::host_image(), size_t{64} << 20);
    EXPECT_TRUE(m.ok());
    memory = std::move(*m);
    linker = std::make_unique<link::Linker>(*memory, resolve);
    libraries = std::make_unique<link::LibraryLinker>(*linker);
  }

  // Compiles C (or C++ with `cxx`) source to an object in the temp dir.
  std::string compile(const std::string& name, const std::string& source, const std::string& flags = "",
                      bool cxx = false) {
    const std::string src = dir.file(name + (cxx ? ".cpp" : ".c"), source);
    const std::string o = dir.path + "/" + name + ".o";
    const std::string cmd = std::string(cxx ? "g++" : "gcc") + " -fPIC -O1 -c " + flags + " -o " + o + " " + src;
    EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
    return o;
  }
  std::string archive(const std::string& name, const std::vector<std::string>& objects) {
    const std::string a = dir.path + "/lib" + name + ".a";
    std::string cmd = "ar rcs " + a;
    for (const auto& o : objects) cmd += " " + o;
    EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
    return a;
  }

  Result<int> link(std::vector<std::string> objects, std::vector<std::string> c_args = {},
                   std::vector<std::string> dirs = {}) {
    link::LibraryRequest r{std::move(objects), std::move(c_args), std::move(dirs)};
    auto h = libraries->link(r);
    if (h) libraries->run_constructors(*h);
    return h;
  }
  template <class F>
  F* fn(const std::string& name) {
    auto a = linker->lookup_linked(name);
    EXPECT_TRUE(a.has_value()) << name;
    return a ? reinterpret_cast<F*>(*a) : nullptr;
  }
};

using ocaml_value = intptr_t;
ocaml_value val_long(intptr_t x) { return (x << 1) + 1; }

}  // namespace

TEST(Library, StrArchiveWithItsStubs) {
  Fixture fx;
  auto h = fx.link({"/usr/lib/ocaml/str.a"}, {"-lcamlstr"}, {"/usr/lib/ocaml"});
  ASSERT_TRUE(h.ok()) << h.error().message;
  const auto& unit = fx.libraries->unit(*h);
  for (const char* s : {"camlStr__entry", "camlStr__frametable", "camlStr__gc_roots", "camlStr__code_begin",
                        "camlStr__data_end", "re_search_forward", "re_string_match"})
    EXPECT_TRUE(unit.globals.count(s)) << s;
  EXPECT_NE(unit.eh_frame, 0u);
}

// Archives given as bytes (ocamljit's REPL bundle): by name, for an OCaml
// object and for -lX, with no file of those names on any path.
TEST(Library, MemoryFilesInsteadOfPaths) {
  Fixture fx;
  auto str = elf::read_file_bytes("/usr/lib/ocaml/str.a");
  auto stubs = elf::read_file_bytes("/usr/lib/ocaml/libcamlstr.a");
  ASSERT_TRUE(str.ok() && stubs.ok());
  link::LibraryRequest r{{"bundled-str.a"}, {"-lcamlstr"}, {}};
  r.memory_files = {{"bundled-str.a", str->bytes()}, {"libcamlstr.a", stubs->bytes()}};
  auto h = fx.libraries->link(r);
  ASSERT_TRUE(h.ok()) << h.error().message;
  const auto& unit = fx.libraries->unit(*h);
  for (const char* s : {"camlStr__entry", "re_search_forward"}) EXPECT_TRUE(unit.globals.count(s)) << s;
  // Without them, neither name is found.
  link::LibraryRequest missing{{"bundled-str.a"}, {}, {}};
  EXPECT_FALSE(fx.libraries->link(missing).ok());
  link::LibraryRequest no_stubs{{}, {"-lcamlstr"}, {}};
  no_stubs.memory_files = {{"bundled-str.a", str->bytes()}};
  EXPECT_FALSE(fx.libraries->link(no_stubs).ok());
}

TEST(Library, UnixStubCalledThroughAPointer) {
  Fixture fx;
  auto h = fx.link({}, {"-lunix"}, {"/usr/lib/ocaml"});
  ASSERT_TRUE(h.ok()) << h.error().message;
  // Nothing needed a member: an archive contributes only what is used.
  EXPECT_TRUE(fx.libraries->unit(*h).globals.empty());
  const std::string main = fx.compile("use_unix", "long unix_getpid(long); long call_getpid(void) { return unix_getpid(1); }");
  auto h2 = fx.link({main}, {"-lunix"}, {"/usr/lib/ocaml"});
  ASSERT_TRUE(h2.ok()) << h2.error().message;
  EXPECT_TRUE(fx.libraries->unit(*h2).globals.count("unix_getpid"));
  EXPECT_FALSE(fx.libraries->unit(*h2).globals.count("unix_fork"));
  EXPECT_EQ(fx.fn<long()>("call_getpid")(), val_long(getpid()));
}

TEST(Library, ZarithWithSystemGmp) {
  Fixture fx;
  const std::string main = fx.compile("use_z", R"(
    long ml_z_add(long, long); long ml_z_mul(long, long);
    long z_add(long a, long b) { return ml_z_add(a, b); }
    long z_mul(long a, long b) { return ml_z_mul(a, b); }
  )");
  auto h = fx.link({"/usr/lib/ocaml/zarith/zarith.a", main}, {"-lzarith", "-lgmp"}, {"/usr/lib/ocaml/zarith"});
  ASSERT_TRUE(h.ok()) << h.error().message;
  EXPECT_TRUE(fx.libraries->unit(*h).globals.count("camlZ__entry"));
  // Small integers stay unboxed: the stubs' fast paths need no OCaml heap.
  EXPECT_EQ(fx.fn<long(long, long)>("z_add")(val_long(20), val_long(22)), val_long(42));
  EXPECT_EQ(fx.fn<long(long, long)>("z_mul")(val_long(-6), val_long(7)), val_long(-42));
  // gmp comes from the system's shared library, not from the JIT.
  EXPECT_FALSE(fx.linker->lookup_linked("__gmpz_init").has_value());
  EXPECT_TRUE(fx.linker->lookup("__gmpz_init").has_value());
}

TEST(Library, FindLibrary) {
  auto gmp = link::find_library("gmp", {"/usr/lib/ocaml"});
  ASSERT_TRUE(gmp.ok()) << gmp.error().message;
  EXPECT_EQ(gmp->kind, link::LibrarySource::Shared);
  auto z = link::find_library("zarith", {"/usr/lib/ocaml", "/usr/lib/ocaml/zarith"});
  ASSERT_TRUE(z.ok());
  EXPECT_EQ(z->kind, link::LibrarySource::Archive);
  EXPECT_EQ(z->path, "/usr/lib/ocaml/zarith/libzarith.a");
  EXPECT_EQ(link::find_library("m", {})->kind, link::LibrarySource::InProcess);
  auto none = link::find_library("surely_no_such_library", {"/usr/lib/ocaml"});
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.error().message.find("-lsurely_no_such_library"), std::string::npos);
  // libc.so is a linker script: skipped, the real libc.so.6 is found.
  auto c = link::find_library("c", {});
  EXPECT_EQ(c->kind, link::LibrarySource::InProcess);
}

// Without the -dev package only libX.so.N exists: the soname is found.
TEST(Library, VersionedSharedLibraryWithoutDevSymlink) {
  Fixture fx;
  const std::string src = fx.dir.file("fake.c", "int fake_fn(void) { return 1; }");
  ASSERT_EQ(std::system(("gcc -shared -fPIC -o " + fx.dir.path + "/libfake.so.3.1.0 " + src).c_str()), 0);
  ASSERT_EQ(std::system(("ln -s libfake.so.3.1.0 " + fx.dir.path + "/libfake.so.3").c_str()), 0);
  fx.dir.file("libfake.so.3.1.0.debug", "not a library");
  auto found = link::find_library("fake", {"/nonexistent"}, {"/nonexistent", fx.dir.path});
  ASSERT_TRUE(found.ok()) << found.error().message;
  EXPECT_EQ(found->kind, link::LibrarySource::Shared);
  EXPECT_EQ(found->path, fx.dir.path + "/libfake.so.3");
  // A linker script in the way is skipped for the real library.
  fx.dir.file("libfake.so", "INPUT(libfake.so.3)\n");
  EXPECT_EQ(link::find_library("fake", {}, {fx.dir.path})->path, fx.dir.path + "/libfake.so.3");
}

TEST(Library, LinkerScriptDoesNotCrash) {
  Fixture fx;
  fx.dir.file("libscripted.so", "/* GNU ld script */\nGROUP ( /nonexistent/libscripted.so.1 )\n");
  auto h = fx.link({}, {"-L" + fx.dir.path, "-lscripted"}, {});
  ASSERT_FALSE(h.ok());
  EXPECT_NE(h.error().message.find("-lscripted"), std::string::npos) << h.error().message;
}

TEST(Library, CyclesBetweenArchiveMembers) {
  Fixture fx;
  const auto a = fx.compile("cyc_a", "int cyc_b(int); int cyc_a(int x) { return x ? cyc_b(x - 1) + 1 : 0; }");
  const auto b = fx.compile("cyc_b", "int cyc_a(int); int cyc_b(int x) { return x ? cyc_a(x - 1) + 2 : 100; }");
  const auto c = fx.compile("cyc_c", "int cyc_unused(void) { return 7; }");
  fx.archive("cyc", {a, b, c});
  const auto main = fx.compile("cyc_main", "int cyc_a(int); int cyc_entry(void) { return cyc_a(5); }");
  auto h = fx.link({main}, {"-lcyc"}, {fx.dir.path});
  ASSERT_TRUE(h.ok()) << h.error().message;
  EXPECT_EQ(fx.fn<int()>("cyc_entry")(), 1 + 2 + 1 + 2 + 1 + 100);
  EXPECT_FALSE(fx.linker->lookup("cyc_unused").has_value());
}

// Members are chosen through the archive's symbol index: a member nobody
// needs is never parsed (here it is not even an ELF object), and the first
// member that defines a symbol wins, as with ld. An archive without an index
// (`ar rcS`) is parsed whole and gives the same choice.
TEST(Library, ArchiveSymbolIndexChoosesMembers) {
  Fixture fx;
  const auto a = fx.compile("idx_a", "int idx_b(void); int idx_a(void) { return idx_b() + 1; }");
  const auto b1 = fx.compile("idx_b1", "int idx_b(void) { return 10; }");
  const auto b2 = fx.compile("idx_b2", "int idx_b(void) { return 20; } int idx_b2_only(void) { return 2; }");
  const std::string junk = fx.dir.file("junk.o", "not an object at all");
  // The index: idx_b points to the first of the two members defining it.
  const auto lib = fx.archive("idx", {b1, b2});
  auto bytes = elf::read_whole_file(lib);
  ASSERT_TRUE(bytes.ok());
  auto listing = elf::list_archive(*bytes, lib);
  ASSERT_TRUE(listing.ok()) << listing.error().message;
  ASSERT_TRUE(listing->has_index);
  ASSERT_EQ(listing->members.size(), 2u);
  EXPECT_EQ(listing->members[0].name, "idx_b1.o");
  ASSERT_EQ(listing->index.count("idx_b"), 1u);
  EXPECT_EQ(listing->index.at("idx_b"), 0u);
  EXPECT_EQ(listing->index.at("idx_b2_only"), 1u);

  // A junk member nobody needs: ar indexes nothing for it, it is never read.
  const std::string with_junk = fx.dir.path + "/libidxjunk.a";
  const std::string cmd = "ar rcs " + with_junk + " " + b1 + " " + junk;
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  auto h = fx.link({a}, {"-lidxjunk"}, {fx.dir.path});
  ASSERT_TRUE(h.ok()) << h.error().message;
  EXPECT_EQ(fx.fn<int()>("idx_a")(), 11);

  // Without an index: every member parsed, the same member chosen.
  Fixture fx2;
  const std::string plain = fx2.dir.path + "/libidxplain.a";
  const std::string cmd2 = "ar rcS " + plain + " " + b2 + " " + b1;
  ASSERT_EQ(std::system(cmd2.c_str()), 0) << cmd2;
  auto bytes2 = elf::read_whole_file(plain);
  ASSERT_TRUE(bytes2.ok());
  auto listing2 = elf::list_archive(*bytes2, plain);
  ASSERT_TRUE(listing2.ok()) << listing2.error().message;
  EXPECT_FALSE(listing2->has_index);
  const auto a2 = fx2.compile("idx_a", "int idx_b(void); int idx_a(void) { return idx_b() + 1; }");
  auto h2 = fx2.link({a2}, {"-lidxplain"}, {fx2.dir.path});
  ASSERT_TRUE(h2.ok()) << h2.error().message;
  EXPECT_EQ(fx2.fn<int()>("idx_a")(), 21);  // idx_b2.o comes first in this archive
}

// A symbol index that points nowhere is a clear error naming the archive.
TEST(Library, CorruptArchiveIndexIsAnError) {
  Fixture fx;
  const auto b = fx.compile("badidx_b", "int badidx_b(void) { return 1; }");
  const auto lib = fx.archive("badidx", {b});
  auto bytes = elf::read_whole_file(lib);
  ASSERT_TRUE(bytes.ok());
  std::vector<uint8_t> cut = *bytes;
  // First index entry's member offset (big-endian, after the 4-byte count).
  const size_t offset_field = 8 + 60 + 4;
  ASSERT_GT(cut.size(), offset_field + 4);
  cut[offset_field] = 0x7f;
  auto listing = elf::list_archive(cut, "bad.a");
  ASSERT_FALSE(listing.ok());
  EXPECT_NE(listing.error().message.find("bad.a: malformed archive: symbol index"), std::string::npos)
      << listing.error().message;
}

// C arguments naming files: an object is linked whole, an archive by need;
// flags that mean nothing in memory are ignored.
TEST(Library, ObjectAndArchivePathsInCArguments) {
  Fixture fx;
  const auto a = fx.compile("path_a", "int path_b(void); int path_a(void) { return path_b() + 1; }");
  const auto b = fx.compile("path_b", "int path_b(void) { return 41; }");
  const auto c = fx.compile("path_c", "int path_c(void) { return 0; }");
  const auto lib = fx.archive("paths", {b, c});
  auto h = fx.link({}, {"-O2", "-Wl,--no-as-needed", a, lib, "-pthread"});
  ASSERT_TRUE(h.ok()) << h.error().message;
  EXPECT_EQ(fx.fn<int()>("path_a")(), 42);
  EXPECT_FALSE(fx.linker->lookup("path_c").has_value());
}

TEST(Library, WeakAndCommon) {
  Fixture fx;
  const auto w = fx.compile("weak_def", R"(
    __attribute__((weak)) int hook(void) { return 1; }
    int shared_counter;                       /* COMMON with -fcommon */
    extern int absent(void) __attribute__((weak));
    int call_absent(void) { return absent ? absent() : -1; }
    int bump(void) { return ++shared_counter; }
  )", "-fcommon");
  const auto s = fx.compile("strong_def", R"(
    int hook(void) { return 42; }
    int shared_counter;
    int big_common[100];
    int call_hook(void) { return hook(); }
    int read_counter(void) { return shared_counter + big_common[99]; }
  )", "-fcommon");
  auto h = fx.link({w, s});
  ASSERT_TRUE(h.ok()) << h.error().message;
  EXPECT_EQ(fx.fn<int()>("call_hook")(), 42);
  EXPECT_EQ(fx.fn<int()>("call_absent")(), -1);
  EXPECT_EQ(fx.fn<int()>("bump")(), 1);
  EXPECT_EQ(fx.fn<int()>("bump")(), 2);
  EXPECT_EQ(fx.fn<int()>("read_counter")(), 2);
}

TEST(Library, ConstructorsRunOnceInOrder) {
  Fixture fx;
  const auto o = fx.compile("ctor", R"(
    static int log[8]; static int n;
    __attribute__((constructor(200))) static void second(void) { log[n++] = 2; }
    __attribute__((constructor(101))) static void first(void) { log[n++] = 1; }
    __attribute__((constructor)) static void last(void) { log[n++] = 3; }
    int ctor_count(void) { return n; }
    int ctor_log(int i) { return log[i]; }
  )");
  link::LibraryRequest r{{o}, {}, {}};
  auto h = fx.libraries->link(r);
  ASSERT_TRUE(h.ok()) << h.error().message;
  EXPECT_EQ(fx.fn<int()>("ctor_count")(), 0);  // not before the caller says so
  fx.libraries->run_constructors(*h);
  fx.libraries->run_constructors(*h);
  EXPECT_EQ(fx.fn<int()>("ctor_count")(), 3);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(fx.fn<int(int)>("ctor_log")(i), i + 1);
}

TEST(Library, ThreadLocalVariables) {
  Fixture fx;
  const auto o = fx.compile("tls", R"(
    __thread int tls_global = 5;
    static __thread long tls_local[4];
    int get_global(void) { return tls_global; }
    void set_global(int v) { tls_global = v; }
    long bump_local(int i) { return ++tls_local[i]; }
  )");
  auto h = fx.link({o});
  ASSERT_TRUE(h.ok()) << h.error().message;
  auto get = fx.fn<int()>("get_global");
  auto set = fx.fn<void(int)>("set_global");
  auto bump = fx.fn<long(int)>("bump_local");
  EXPECT_EQ(get(), 5);
  set(7);
  EXPECT_EQ(bump(2), 1);
  EXPECT_EQ(bump(2), 2);
  int seen_initial = 0, seen_after = 0;
  long seen_local = 0;
  std::thread t([&] {
    seen_initial = get();
    set(99);
    seen_after = get();
    seen_local = bump(2);
  });
  t.join();
  EXPECT_EQ(seen_initial, 5);   // a fresh copy of the template
  EXPECT_EQ(seen_after, 99);
  EXPECT_EQ(seen_local, 1);
  EXPECT_EQ(get(), 7);          // this thread's copy untouched
  EXPECT_EQ(bump(2), 3);
  EXPECT_FALSE(fx.linker->lookup_linked("tls_global").has_value());  // not an address
}

// A thread-local variable defined by an earlier group is reached by a later
// one (general dynamic): both see the same per-thread storage.
TEST(Library, ThreadLocalVariableOfAnEarlierGroup) {
  Fixture fx;
  const auto a = fx.compile("tls_def", "__thread int shared_tls = 9; int def_get(void) { return shared_tls; }");
  const auto b = fx.compile("tls_use", "extern __thread int shared_tls; void use_set(int v) { shared_tls = v; }");
  ASSERT_TRUE(fx.link({a}).ok());
  auto h = fx.link({b});
  ASSERT_TRUE(h.ok()) << h.error().message;
  fx.fn<void(int)>("use_set")(17);
  EXPECT_EQ(fx.fn<int()>("def_get")(), 17);
  int other = 0;
  std::thread t([&] { other = fx.fn<int()>("def_get")(); });
  t.join();
  EXPECT_EQ(other, 9);
}

TEST(Library, InitialExecTlsIsAClearError) {
  Fixture fx;
  const auto o = fx.compile("tls_ie", "__thread int ie_var; int get_ie(void) { return ie_var; }",
                            "-ftls-model=initial-exec");
  auto h = fx.link({o});
  ASSERT_FALSE(h.ok());
  EXPECT_NE(h.error().message.find("ie_var"), std::string::npos) << h.error().message;
  EXPECT_NE(h.error().message.find("R_X86_64_GOTTPOFF"), std::string::npos) << h.error().message;
}

TEST(Library, CxxExceptionsThroughJitCode) {
  Fixture fx;
  const char* common = R"(
    #include <stdexcept>
    template <class T> T twice(T x) { return x * 2; }   // COMDAT in every object
  )";
  const auto a = fx.compile("cxx_a", std::string(common) + R"(
    int thrower(int x) { if (x > 0) throw std::runtime_error("boom"); return twice(x); }
    extern "C" int cxx_catch(int x) {
      try { return thrower(x); } catch (const std::exception& e) { return 1000 + (int)std::string(e.what()).size(); }
    }
    extern "C" int cxx_throw(int x) { return thrower(x); }
  )", "-O0", true);
  const auto b = fx.compile("cxx_b", std::string(common) + R"(
    extern "C" int cxx_twice_b(int x) { return twice(x); }
  )", "-O0", true);
  auto h = fx.link({a, b});
  ASSERT_TRUE(h.ok()) << h.error().message;
  EXPECT_EQ(fx.fn<int(int)>("cxx_catch")(1), 1004);
  EXPECT_EQ(fx.fn<int(int)>("cxx_catch")(-3), -6);
  EXPECT_EQ(fx.fn<int(int)>("cxx_twice_b")(21), 42);
  // Thrown in JIT code, caught here: the unwinder walks the JIT frames.
  bool caught = false;
  try {
    fx.fn<int(int)>("cxx_throw")(1);
  } catch (const std::runtime_error& e) {
    caught = std::string(e.what()) == "boom";
  }
  EXPECT_TRUE(caught);
  // The COMDAT group was linked once; a later group reuses it.
  const auto c = fx.compile("cxx_c", std::string(common) + R"(
    extern "C" int cxx_twice_c(int x) { return twice(x) + 1; }
    extern "C" int cxx_catch_c(int x) {  // needs its own hidden DW.ref.__gxx_personality_v0
      try { if (x) throw x; return 0; } catch (int e) { return e + 1; }
    }
  )", "-O0", true);
  auto h2 = fx.link({c});
  ASSERT_TRUE(h2.ok()) << h2.error().message;
  EXPECT_EQ(fx.fn<int(int)>("cxx_twice_c")(1), 3);
  EXPECT_EQ(fx.fn<int(int)>("cxx_catch_c")(41), 42);
  EXPECT_FALSE(fx.libraries->unit(*h2).globals.count("_Z5twiceIiET_S0_"));
}

TEST(Library, DuplicateDefinitionNamesBothObjects) {
  Fixture fx;
  const auto a = fx.compile("dup_a", "int dup_fn(void) { return 1; }");
  const auto b = fx.compile("dup_b", "int dup_fn(void) { return 2; } int dup_other(void) { return 3; }");
  auto h = fx.link({a, b});
  ASSERT_FALSE(h.ok());
  EXPECT_NE(h.error().message.find("dup_fn"), std::string::npos);
  EXPECT_NE(h.error().message.find("dup_a.o"), std::string::npos) << h.error().message;
  EXPECT_NE(h.error().message.find("dup_b.o"), std::string::npos) << h.error().message;
  EXPECT_FALSE(fx.linker->lookup("dup_other").has_value());
}

// Every failure leaves nothing: no symbol, no memory, no TLS module, and the
// next good link works.
TEST(Library, FailuresLeaveNothing) {
  Fixture fx;
  const auto good = fx.compile("good", "__thread int good_tls; int good_fn(void) { return ++good_tls; }");
  const auto undefined = fx.compile("undef",
                                    "__thread int bad_tls; int missing_fn(void); int bad_fn(void) { return missing_fn() + ++bad_tls; }");
  std::vector<uint8_t> bytes;
  {
    std::ifstream in("/usr/lib/ocaml/libcamlstr.a", std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  ASSERT_GT(bytes.size(), 1000u);
  auto write = [&](const std::string& name, const std::vector<uint8_t>& b) {
    return fx.dir.file(name, std::string(b.begin(), b.end()));
  };
  std::vector<uint8_t> truncated(bytes.begin(), bytes.begin() + static_cast<long>(bytes.size() / 2));
  std::vector<uint8_t> random(4096);
  std::mt19937 rng(42);
  for (auto& x : random) x = static_cast<uint8_t>(rng());
  std::vector<uint8_t> wrong_magic = bytes;
  wrong_magic[2] = 'X';
  const std::string bad_files[] = {write("truncated.a", truncated), write("random.a", random),
                                   write("wrong_magic.a", wrong_magic)};
  const size_t used = fx.memory->used();
  const size_t modules = link::tls::module_count();
  for (const auto& f : bad_files) {
    auto h = fx.link({f});
    ASSERT_FALSE(h.ok()) << f;
    EXPECT_NE(h.error().message.find(f), std::string::npos) << h.error().message;
    auto h2 = fx.link({good}, {f});
    ASSERT_FALSE(h2.ok()) << f;
    EXPECT_NE(h2.error().message.find(f), std::string::npos) << h2.error().message;
  }
  auto u = fx.link({undefined}, {"-lgmp"});
  ASSERT_FALSE(u.ok());
  ASSERT_EQ(fx.libraries->last_undefined().size(), 1u);
  EXPECT_EQ(fx.libraries->last_undefined()[0], "missing_fn");
  EXPECT_NE(u.error().message.find("undef.o"), std::string::npos) << u.error().message;
  EXPECT_FALSE(fx.linker->lookup("bad_fn").has_value());
  EXPECT_EQ(fx.memory->used(), used);
  EXPECT_EQ(link::tls::module_count(), modules);
  auto h = fx.link({good});
  ASSERT_TRUE(h.ok()) << h.error().message;
  EXPECT_EQ(fx.fn<int()>("good_fn")(), 1);
}

TEST(Library, ForgetHidesTheGroup) {
  Fixture fx;
  const auto o = fx.compile("forget", "int forget_me(void) { return 5; }");
  auto h = fx.link({o});
  ASSERT_TRUE(h.ok());
  EXPECT_TRUE(fx.linker->lookup("forget_me").has_value());
  fx.libraries->forget(*h);
  EXPECT_FALSE(fx.linker->lookup("forget_me").has_value());
  // The same names can be linked again.
  auto h2 = fx.link({o});
  ASSERT_TRUE(h2.ok()) << h2.error().message;
  EXPECT_EQ(fx.fn<int()>("forget_me")(), 5);
  // A forgotten group's COMDAT groups go with it: a C++ library loaded again
  // brings its own copy.
  const auto cxx = fx.compile("forget_cxx", R"(
    template <class T> T thrice(T x) { return x * 3; }
    extern "C" int forget_thrice(int x) { return thrice(x); }
  )", "-O0", true);
  auto h3 = fx.link({cxx});
  ASSERT_TRUE(h3.ok()) << h3.error().message;
  fx.libraries->forget(*h3);
  auto h4 = fx.link({cxx});
  ASSERT_TRUE(h4.ok()) << h4.error().message;
  EXPECT_EQ(fx.fn<int(int)>("forget_thrice")(5), 15);
}

TEST(Library, UnknownRelocationNamesFileSectionSymbol) {
  Fixture fx;
  const std::string s = fx.dir.file("gotoff.s", R"(
    .text
    .globl odd
odd:
    movabs $target@GOTOFF, %rax
    ret
target:
)");
  const std::string o = fx.dir.path + "/gotoff.o";
  ASSERT_EQ(std::system(("as --64 -o " + o + " " + s).c_str()), 0);
  auto h = fx.link({o});
  ASSERT_FALSE(h.ok());
  const auto& m = h.error().message;
  EXPECT_NE(m.find("R_X86_64_GOTOFF64"), std::string::npos) << m;
  EXPECT_NE(m.find("gotoff.o"), std::string::npos) << m;
  EXPECT_NE(m.find(".text"), std::string::npos) << m;
}

TEST(Library, IfuncIsAnError) {
  Fixture fx;
  const auto o = fx.compile("ifunc", R"(
    static int impl(void) { return 1; }
    static int (*resolve(void))(void) { return impl; }
    int chosen(void) __attribute__((ifunc("resolve")));
  )");
  auto h = fx.link({o});
  ASSERT_FALSE(h.ok());
  EXPECT_NE(h.error().message.find("chosen"), std::string::npos) << h.error().message;
  EXPECT_NE(h.error().message.find("IFUNC"), std::string::npos) << h.error().message;
}

// A shared library shipped in a library directory is opened like a system
// one; when the group fails, it is closed again.
TEST(Library, SharedLibraryClosedWhenTheGroupFails) {
  Fixture fx;
  const std::string src = fx.dir.file("third.c", "int third_fn(int x) { return x * 3; }");
  const std::string so = fx.dir.path + "/libthird.so";
  ASSERT_EQ(std::system(("gcc -shared -fPIC -o " + so + " " + src).c_str()), 0);
  const auto bad = fx.compile("third_bad", "int third_fn(int); int nowhere(void); int tb(void) { return third_fn(1) + nowhere(); }");
  auto h = fx.link({bad}, {"-L" + fx.dir.path, "-lthird"});
  ASSERT_FALSE(h.ok());
  EXPECT_EQ(dlopen(so.c_str(), RTLD_NOW | RTLD_NOLOAD), nullptr);
  EXPECT_FALSE(fx.linker->lookup("third_fn").has_value());
  const auto good = fx.compile("third_good", "int third_fn(int); int tg(void) { return third_fn(14); }");
  auto h2 = fx.link({good}, {"-L" + fx.dir.path, "-lthird"});
  ASSERT_TRUE(h2.ok()) << h2.error().message;
  EXPECT_EQ(fx.fn<int()>("tg")(), 42);
  void* still = dlopen(so.c_str(), RTLD_NOW | RTLD_NOLOAD);
  EXPECT_NE(still, nullptr);
  if (still != nullptr) dlclose(still);
}
