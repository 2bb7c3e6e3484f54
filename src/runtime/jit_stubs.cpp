// OCaml-facing primitives of the JIT loader (used by jit_loader.ml): link a
// unit into the process, register it with the OCaml 4.13 runtime as the
// native dynlinker does (frametable, GC roots, static data, code fragment),
// run its entry, answer symbol lookups and report phase timings.
#define CAML_INTERNALS
// Some 4.13 runtime headers (address_class.h, stack.h) lack C++ guards.
extern "C" {
#include <caml/address_class.h>
#include <caml/alloc.h>
#include <caml/bigarray.h>
#include <caml/callback.h>
#include <caml/codefrag.h>
#include <caml/fail.h>
#include <caml/memory.h>
#include <caml/mlvalues.h>
#include <caml/stack.h>
}

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "asm/assembler.hpp"
#include "debug/debug.hpp"
#include "ir/decode.hpp"
#include "link/host_symbols.hpp"
#include "link/library.hpp"
#include "link/linker.hpp"
#include "memory/memory.hpp"
#include "object/elf/archive.hpp"
#include "object/elf/reader.hpp"
#include "runtime/jit_stubs.hpp"
#include "runtime/unit_roots.hpp"
#include "runtime/unload.hpp"

namespace ocamljit::runtime {
namespace {

// Address space per arena (code, read-only, writable); only touched pages cost memory.
constexpr size_t kArenaBytes = size_t{256} << 20;

struct Engine {
  std::unique_ptr<memory::Memory> memory;
  std::unique_ptr<link::Linker> linker;
  std::unique_ptr<link::LibraryLinker> libraries;
};

Timings last_timings;
size_t units_loaded = 0;

Result<Engine*> engine() {
  // Never destroyed: JIT code may run until the process ends (threads such
  // as lwt's worker pool go on during exit), so its memory stays mapped.
  static Engine& e = *new Engine;
  if (!e.linker) {
    auto m = memory::Memory::create(memory::host_image(), kArenaBytes);
    if (!m) return m.error();
    e.memory = std::move(*m);
    e.linker = std::make_unique<link::Linker>(*e.memory, link::with_host_symbols(link::process_resolver()));
    e.libraries = std::make_unique<link::LibraryLinker>(*e.linker);
  }
  return &e;
}

// With OCAMLJIT_PERF_MAP set, the functions of every unit are appended to
// /tmp/perf-<pid>.map, the file `perf report` reads to name JIT code.
void note_for_perf(const link::LinkedUnit& linked) {
  static FILE* map = [] {
    const char* on = std::getenv("OCAMLJIT_PERF_MAP");
    if (on == nullptr || *on == '\0') return static_cast<FILE*>(nullptr);
    const std::string path = "/tmp/perf-" + std::to_string(getpid()) + ".map";
    return std::fopen(path.c_str(), "a");
  }();
  if (map == nullptr) return;
  for (const auto& f : linked.functions) {
    const std::string_view name = linked.name_of(f);
    std::fprintf(map, "%llx %llx %.*s\n", static_cast<unsigned long long>(f.address),
                 static_cast<unsigned long long>(f.size), static_cast<int>(name.size()), name.data());
  }
  std::fflush(map);
}

using Clock = std::chrono::steady_clock;
int64_t since(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - t).count();
}

// Registers a freshly linked unit whose symbols are `symbols` with the runtime.
void register_unit(const UnitSymbols& s) {
  if (s.frametable != nullptr) caml_register_frametable(static_cast<intnat*>(s.frametable));
  if (s.gc_roots != nullptr) unit_roots::add(s.gc_roots);
  if (s.data_begin != nullptr && s.data_end != nullptr) caml_page_table_add(In_static_data, s.data_begin, s.data_end);
  if (s.code_begin != nullptr && s.code_end != nullptr)
    caml_register_code_fragment(static_cast<char*>(s.code_begin), static_cast<char*>(s.code_end), DIGEST_LATER,
                                nullptr);
}

// type link_result = Linked | Link_failed of string | Undefined of string * string
value link_failed(const std::string& message) {
  CAMLparam0();
  CAMLlocal2(res, msg);
  msg = caml_copy_string(message.c_str());
  res = caml_alloc_small(1, 0);
  Field(res, 0) = msg;
  CAMLreturn(res);
}

value undefined(const std::string& symbol, const std::string& message) {
  CAMLparam0();
  CAMLlocal3(res, sym, msg);
  sym = caml_copy_string(symbol.c_str());
  msg = caml_copy_string(message.c_str());
  res = caml_alloc_small(2, 1);
  Field(res, 0) = sym;
  Field(res, 1) = msg;
  CAMLreturn(res);
}

// "camlTOP3" -> "TOP3", for messages.
std::string unit_of_prefix(const std::string& prefix) {
  return prefix.rfind("caml", 0) == 0 ? prefix.substr(4) : prefix;
}

value link_and_register(const obj::Object& object, const std::string& prefix, Clock::time_point started) {
  last_timings.assemble_ns = since(started);
  auto e = engine();
  if (!e) return link_failed(e.error().message);
  link::Linker& linker = *(*e)->linker;
  const auto link_start = Clock::now();
  const ArenaMarks before = arena_marks(*(*e)->memory);
  // One LinkedUnit for every unit: linking reuses its memory. Nothing keeps it past this call.
  static link::LinkedUnit linked;
  const Status status = linker.link(object, {}, linked);
  last_timings.link_ns = since(link_start);
  if (!status) {
    if (!linker.last_undefined().empty())
      return undefined(linker.last_undefined().front(), status.error().message);
    return link_failed(status.error().message);
  }
  const auto register_start = Clock::now();
  const UnitSymbols symbols = unit_symbols(linked, prefix);
  register_unit(symbols);
  note_unit(linked, prefix, symbols, before, arena_marks(*(*e)->memory));
  note_for_perf(linked);
  debug::on_unit_loaded(object, linked);
  last_timings.register_ns = since(register_start);
  ++units_loaded;
  return Val_int(0);
}

std::vector<std::string> strings_of(value array) {
  std::vector<std::string> out;
  for (mlsize_t i = 0; i < Wosize_val(array); ++i) out.emplace_back(String_val(Field(array, i)));
  return out;
}

// type library_result = Library_linked of int | Library_failed of string
//                     | Library_undefined of string * string
value library_result(int tag, const std::string& a, const std::string& b = "") {
  CAMLparam0();
  CAMLlocal3(res, x, y);
  auto one_line = [](std::string s) {  // dlerror() text may hold newlines
    for (char& c : s)
      if (c == '\n') c = ' ';
    return s;
  };
  x = caml_copy_string(one_line(a).c_str());
  if (tag == 2) y = caml_copy_string(one_line(b).c_str());
  res = caml_alloc_small(tag == 2 ? 2 : 1, tag);
  Field(res, 0) = x;
  if (tag == 2) Field(res, 1) = y;
  CAMLreturn(res);
}

// What ocamljit_jit_link_library's arguments ask for (string arrays).
link::LibraryRequest library_request(value objects, value c_args, value dirs) {
  link::LibraryRequest request;
  request.ocaml_objects = strings_of(objects);
  request.c_args = strings_of(c_args);
  request.search_dirs = strings_of(dirs);
  return request;
}

// Links a library and registers its units (OCaml symbol prefixes
// `prefixes`): a library_result.
value link_library(const link::LibraryRequest& request, const std::vector<std::string>& prefixes) {
  CAMLparam0();
  CAMLlocal1(res);
  auto e = engine();
  if (!e) CAMLreturn(library_result(1, e.error().message));
  link::LibraryLinker& libraries = *(*e)->libraries;
  auto handle = libraries.link(request);
  last_timings.assemble_ns = libraries.last_timings().read_ns;
  last_timings.link_ns = libraries.last_timings().link_ns;
  last_timings.register_ns = 0;
  if (!handle) {
    if (!libraries.last_undefined().empty())
      CAMLreturn(library_result(2, libraries.last_undefined().front(), handle.error().message));
    CAMLreturn(library_result(1, handle.error().message));
  }
  const auto register_start = std::chrono::steady_clock::now();
  const link::LinkedUnit& unit = libraries.unit(*handle);
  for (const auto& prefix : prefixes) register_unit(unit_symbols(unit, prefix));
  note_for_perf(unit);
  if (auto merged = libraries.take_last_object()) debug::on_unit_loaded(*merged, unit);
  libraries.run_constructors(*handle);
  last_timings.register_ns = since(register_start);
  units_loaded += prefixes.size();
  res = caml_alloc_small(1, 0);
  Field(res, 0) = Val_int(*handle);
  CAMLreturn(res);
}

}  // namespace

Timings timings() { return last_timings; }

}  // namespace ocamljit::runtime

using namespace ocamljit;

extern "C" {

// A unit's `.o` as written by GNU as (phrases with OCAMLJIT_JIT_OBJECTS=as,
// `#load "foo.cmx"`). `prefix` is the unit's symbol prefix ("camlTOP3").
value ocamljit_jit_link_object_file(value path, value prefix_v) {
  CAMLparam2(path, prefix_v);
  const auto started = std::chrono::steady_clock::now();
  const std::string prefix = String_val(prefix_v);
  auto object = elf::read_relocatable_file(String_val(path));
  if (!object) CAMLreturn(runtime::link_failed(object.error().message));
  object->name = runtime::unit_of_prefix(prefix);
  CAMLreturn(runtime::link_and_register(*object, prefix, started));
}

// The members of a `.a` (of a `.cmxa`), linked and registered in order, one
// unit each: `prefixes` gives their symbol prefixes, in archive order. A
// member that fails stops the load; the members before it stay linked.
value ocamljit_jit_link_archive(value path, value prefixes) {
  CAMLparam2(path, prefixes);
  CAMLlocal1(res);
  auto members = elf::read_archive_file(String_val(path));
  if (!members) CAMLreturn(runtime::link_failed(members.error().message));
  const mlsize_t count = Wosize_val(prefixes);
  if (members->size() != count)
    CAMLreturn(runtime::link_failed(std::string(String_val(path)) + ": " +
                                    std::to_string(members->size()) + " objects for " +
                                    std::to_string(count) + " units"));
  for (mlsize_t i = 0; i < count; ++i) {
    const std::string prefix = String_val(Field(prefixes, i));
    res = runtime::link_and_register((*members)[i], prefix, std::chrono::steady_clock::now());
    if (Is_block(res)) CAMLreturn(res);
  }
  CAMLreturn(Val_int(0));
}

// The in-process path: the unit's IR (x86_ir.ml) decoded and assembled in
// memory, then linked.
value ocamljit_jit_link_ir(value ir, value prefix_v) {
  CAMLparam2(ir, prefix_v);
  const auto started = std::chrono::steady_clock::now();
  const std::string prefix = String_val(prefix_v);
  const std::string unit = runtime::unit_of_prefix(prefix);
  // Nothing allocates on the OCaml heap while the IR is decoded: the
  // string does not move.
  // One Program for every unit: decoding reuses its memory. Its views of
  // this string are not used once the unit is assembled.
  static ir::Program program;
  // The same for the Object: assembling reuses its memory (assembler.hpp).
  static obj::Object object;
  Status decoded = ir::decode(reinterpret_cast<const uint8_t*>(String_val(ir)), caml_string_length(ir), program);
  if (!decoded) CAMLreturn(runtime::link_failed(make_error(unit, ": ", decoded.error().message).message));
  if (Status s = assembler::assemble(program, unit, object); !s) CAMLreturn(runtime::link_failed(s.error().message));
  CAMLreturn(runtime::link_and_register(object, prefix, started));
}

// A whole native library linked in memory as one group (link/library.hpp):
// `objects` are the OCaml library's .a/.o files, `prefixes` its units' symbol
// prefixes in initialisation order (registered with the runtime, entries not
// run), `c_args` its lib_ccobjs @ lib_ccopts, `dirs` extra library dirs.
// The C constructors run after registration. Timings: assemble_ns = reading
// archives and choosing members, link_ns = linking, register_ns = runtime
// registration and C constructors.
value ocamljit_jit_link_library(value objects, value prefixes_v, value c_args, value dirs) {
  CAMLparam4(objects, prefixes_v, c_args, dirs);
  link::LibraryRequest request = runtime::library_request(objects, c_args, dirs);
  CAMLreturn(runtime::link_library(request, runtime::strings_of(prefixes_v)));
}

// The same, with `files`, a (name, bytes) array: files read from those
// bigarrays rather than from disk (LibraryRequest::memory_files). The
// bigarrays' data must not be freed meanwhile: they are parameters here.
value ocamljit_jit_link_library_in_memory(value objects, value prefixes_v, value c_args, value dirs,
                                          value files) {
  CAMLparam5(objects, prefixes_v, c_args, dirs, files);
  link::LibraryRequest request = runtime::library_request(objects, c_args, dirs);
  for (mlsize_t i = 0; i < Wosize_val(files); ++i) {
    const value file = Field(files, i);
    const value bytes = Field(file, 1);
    request.memory_files.emplace(String_val(Field(file, 0)),
                                 std::span<const uint8_t>(static_cast<const uint8_t*>(Caml_ba_data_val(bytes)),
                                                          caml_ba_byte_size(Caml_ba_array_val(bytes))));
  }
  CAMLreturn(runtime::link_library(request, runtime::strings_of(prefixes_v)));
}

// The library's initialisation raised: its global symbols (OCaml units and
// C) disappear from lookups. Its memory and registrations stay.
value ocamljit_jit_forget_library(value handle) {
  CAMLparam1(handle);
  if (auto e = runtime::engine()) (*e)->libraries->forget(Int_val(handle));
  CAMLreturn(Val_unit);
}

// Runs the entry of the unit with symbol prefix `prefix`: Ok result or Error exn.
value ocamljit_jit_run_entry(value prefix) {
  CAMLparam1(prefix);
  CAMLlocal2(res, v);
  auto e = runtime::engine();
  if (!e) caml_failwith(e.error().message.c_str());
  // One name buffer: these names are too long for std::string's inline storage.
  static std::string sym;
  sym.assign(String_val(prefix)).append("__entry");
  auto address = (*e)->linker->lookup_linked(sym);
  if (!address) caml_failwith(("ocamljit: no entry point " + sym).c_str());
  // caml_callback takes a closure: a block whose first field is the code
  // pointer. The entry ignores its environment, so a word on the C stack
  // holding the address serves (as in the runtime's natdynlink).
  void* entry = reinterpret_cast<void*>(*address);
  value r = caml_callback_exn(reinterpret_cast<value>(&entry), Val_unit);
  sym.assign(String_val(prefix)).append("__gc_roots");
  if (auto roots = (*e)->linker->lookup_linked(sym))
    runtime::unit_roots::settle(reinterpret_cast<void*>(*roots));
  if (Is_exception_result(r)) {
    v = Extract_exception(r);
    res = caml_alloc_small(1, 1);
  } else {
    v = r;
    res = caml_alloc_small(1, 0);
  }
  Field(res, 0) = v;
  CAMLreturn(res);
}

// The address of a symbol (JIT units first, then the process) as a value.
value ocamljit_jit_find_symbol(value name) {
  CAMLparam1(name);
  CAMLlocal1(res);
  std::optional<uint64_t> address;
  if (auto e = runtime::engine()) address = (*e)->linker->lookup(String_val(name));
  else address = link::process_resolver()(String_val(name));
  if (!address || *address == 0) CAMLreturn(Val_int(0));
  res = caml_alloc_small(1, 0);
  Field(res, 0) = static_cast<value>(*address);
  CAMLreturn(res);
}

// (assemble_ns, link_ns, register_ns) of the last unit.
value ocamljit_jit_last_timings(value) {
  CAMLparam0();
  CAMLlocal1(res);
  const auto t = runtime::timings();
  res = caml_alloc_tuple(3);
  Store_field(res, 0, Val_long(t.assemble_ns));
  Store_field(res, 1, Val_long(t.link_ns));
  Store_field(res, 2, Val_long(t.register_ns));
  CAMLreturn(res);
}

// (units loaded, bytes of JIT memory used)
value ocamljit_jit_memory_stats(value) {
  CAMLparam0();
  CAMLlocal1(res);
  size_t used = 0;
  if (auto e = runtime::engine()) used = (*e)->memory->used();
  res = caml_alloc_tuple(2);
  Store_field(res, 0, Val_long(runtime::units_loaded));
  Store_field(res, 1, Val_long(used));
  CAMLreturn(res);
}

// Unloads the phrases of session `owner` (see unload.hpp); a message on failure.
value ocamljit_jit_unload_owner(value owner) {
  CAMLparam1(owner);
  auto e = runtime::engine();
  if (!e) caml_failwith(e.error().message.c_str());
  Status s = runtime::unload_owner(Long_val(owner), *(*e)->linker, *(*e)->memory);
  if (!s) caml_failwith(s.error().message.c_str());
  CAMLreturn(Val_unit);
}

}  // extern "C"
