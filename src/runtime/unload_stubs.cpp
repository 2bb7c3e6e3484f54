// See unload.hpp.
#define CAML_INTERNALS
extern "C" {
#include <caml/address_class.h>
#include <caml/codefrag.h>
#include <caml/memory.h>
#include <caml/minor_gc.h>
#include <caml/mlvalues.h>
#include <caml/stack.h>
}

#include <cstring>
#include <iterator>
#include <memory>
#include <string_view>
#include <vector>

#include "debug/debug.hpp"
#include "runtime/unit_roots.hpp"
#include "runtime/unload.hpp"

namespace ocamljit::runtime {
namespace {

struct OwnedUnit {
  int64_t owner = 0;
  std::string prefix;
  intnat* frametable = nullptr;
  char* code_begin = nullptr;
  void* data_begin = nullptr;
  void* data_end = nullptr;
  void* roots = nullptr;  // its __gc_roots table (unit_roots)
  uint64_t code_start = 0;  // LinkedUnit::code.lo: its gdb entry's key
  std::vector<std::string> globals;
  ArenaMarks before, after;
};

struct Registry {
  int64_t owner = 0;
  std::vector<OwnedUnit> units;       // in load order
};

Registry& registry() {
  static Registry r;
  return r;
}

// OCaml 4.13's caml_unregister_frametable cannot remove the head of its
// list of tables: it unlinks nothing and the list head stays on the freed
// link (the next registration that rebuilds the descriptor table then reads
// freed memory). Before units are unloaded, an empty table is pushed on top,
// so that none of theirs is the head; the previous empty table, no longer
// the head, goes the normal way. One empty table stays registered.
intnat empty_tables[2][1] = {{0}, {0}};
int current_empty = -1;

void push_empty_frametable() {
  const int next = current_empty == 0 ? 1 : 0;
  caml_register_frametable(empty_tables[next]);
  if (current_empty >= 0) caml_unregister_frametable(empty_tables[current_empty]);
  current_empty = next;
}

bool is_phrase(const std::string& prefix) { return prefix.rfind("camlTOP", 0) == 0; }

bool owned(const std::string& prefix) { return registry().owner != 0 && is_phrase(prefix); }

}  // namespace

ArenaMarks arena_marks(const memory::Memory& memory) {
  ArenaMarks m;
  for (int i = 0; i < memory::kAccessCount; ++i) m.top[i] = memory.used(static_cast<memory::Access>(i));
  return m;
}

UnitSymbols unit_symbols(const link::LinkedUnit& linked, const std::string& prefix) {
  UnitSymbols s;
  auto take = [&s](std::string_view suffix, uint64_t address) {
    void* a = reinterpret_cast<void*>(address);
    if (suffix == "frametable") s.frametable = a;
    else if (suffix == "gc_roots") s.gc_roots = a;
    else if (suffix == "data_begin") s.data_begin = a;
    else if (suffix == "data_end") s.data_end = a;
    else if (suffix == "code_begin") s.code_begin = a;
    else if (suffix == "code_end") s.code_end = a;
  };
  constexpr std::string_view kSuffixes[] = {"frametable", "gc_roots", "data_begin", "data_end", "code_begin", "code_end"};
  if (linked.globals.size() > 4 * std::size(kSuffixes)) {
    // A library's group (globals of all its units): six lookups, with one
    // name buffer (these names are too long for std::string's inline storage).
    static std::string name;
    for (std::string_view suffix : kSuffixes) {
      name.assign(prefix).append("__").append(suffix);
      if (const uint64_t* address = linked.globals.find(name)) take(suffix, *address);
    }
    return s;
  }
  // A phrase: one pass over its few globals, no name built, none hashed.
  const std::string_view p = prefix;
  for (const auto& [name, address] : linked.globals) {
    const std::string_view n = name;
    if (n.size() > p.size() + 2 && n.compare(0, p.size(), p) == 0 && n[p.size()] == '_' && n[p.size() + 1] == '_')
      take(n.substr(p.size() + 2), address);
  }
  return s;
}

void note_unit(const link::LinkedUnit& linked, const std::string& prefix, const UnitSymbols& symbols,
               ArenaMarks before, ArenaMarks after) {
  Registry& r = registry();
  if (!owned(prefix)) return;
  OwnedUnit u;
  u.owner = r.owner;
  u.prefix = prefix;
  u.frametable = static_cast<intnat*>(symbols.frametable);
  u.code_begin = symbols.code_end != nullptr ? static_cast<char*>(symbols.code_begin) : nullptr;
  u.data_begin = symbols.data_begin;
  u.data_end = symbols.data_end;
  u.roots = symbols.gc_roots;
  u.code_start = linked.code.lo;
  bool foreign = false;
  for (const auto& [name, address] : linked.globals) {
    u.globals.emplace_back(name);
    if (name.rfind(prefix, 0) != 0) foreign = true;
  }
  // A unit whose symbols others may use stays.
  if (foreign) return;
  u.before = before;
  u.after = after;
  r.units.push_back(std::move(u));
}

Status unload_owner(int64_t owner, link::Linker& linker, memory::Memory& memory) {
  Registry& r = registry();
  std::vector<OwnedUnit> going;
  std::vector<OwnedUnit> staying;
  for (auto& u : r.units) (u.owner == owner ? going : staying).push_back(std::move(u));
  r.units = std::move(staying);
  if (going.empty()) return ok_status();
  // The minor GC's remembered set may hold addresses inside the units' data.
  caml_minor_collection();
  push_empty_frametable();
  Status status = ok_status();
  for (auto it = going.rbegin(); it != going.rend(); ++it) {
    OwnedUnit& u = *it;
    if (u.frametable != nullptr) caml_unregister_frametable(u.frametable);
    if (u.code_begin != nullptr)
      if (struct code_fragment* cf = caml_find_code_fragment_by_pc(u.code_begin))
        caml_remove_code_fragment(cf);
    if (u.data_begin != nullptr && u.data_end != nullptr)
      caml_page_table_remove(In_static_data, u.data_begin, u.data_end);
    if (u.roots != nullptr) unit_roots::forget(u.roots);
    debug::on_unit_unloaded(u.code_start);
    linker.forget(u.globals);
    for (int a = 0; a < memory::kAccessCount; ++a) {
      Status s = memory.release(static_cast<memory::Access>(a), u.before.top[a], u.after.top[a]);
      if (!s && status) status = s;
    }
  }
  return status;
}

size_t owned_units() { return registry().units.size(); }

}  // namespace ocamljit::runtime

extern "C" {

// The owner of the phrases loaded from now on: 0 for permanent units (the
// REPL, libraries), a session's number otherwise. Returns the previous one.
value ocamljit_jit_set_owner(value owner) {
  auto& r = ocamljit::runtime::registry();
  const int64_t previous = r.owner;
  r.owner = Long_val(owner);
  return Val_long(previous);
}

value ocamljit_jit_owned_units(value) { return Val_long(ocamljit::runtime::owned_units()); }

}  // extern "C"
