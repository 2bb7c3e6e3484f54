// Units that can be unloaded: the phrases of an embedding session. Every unit
// named TOP<n> that is loaded while an owner (a session) is current is
// recorded under it; unloading an owner undoes what registration did
// (frametable, code fragment, static data, GC roots), unpublishes the unit's
// symbols and gives its JIT memory back for reuse.
//
// GC roots: a unit's module blocks are roots through unit_roots (not the
// runtime's dynamic globals, which OCaml 4.13 cannot unregister); unloading
// takes them out there.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "link/linker.hpp"
#include "memory/memory.hpp"
#include "support/error.hpp"

namespace ocamljit::runtime {

struct ArenaMarks {
  size_t top[memory::kAccessCount] = {};
};
ArenaMarks arena_marks(const memory::Memory& memory);

// The runtime-facing symbols of a unit (prefix "camlTOP3": camlTOP3__frametable, ...),
// null when it lacks them.
struct UnitSymbols {
  void* frametable = nullptr;
  void* gc_roots = nullptr;
  void* data_begin = nullptr;
  void* data_end = nullptr;
  void* code_begin = nullptr;
  void* code_end = nullptr;
};
UnitSymbols unit_symbols(const link::LinkedUnit& linked, const std::string& prefix);

// Records a registered unit; [before, after) are the arena tops around its link.
void note_unit(const link::LinkedUnit& linked, const std::string& prefix, const UnitSymbols& symbols,
               ArenaMarks before, ArenaMarks after);

// Unloads every unit of `owner`, newest first. Units that define symbols
// other than their own (a phrase's copy of caml_curryN, which later units
// may call) stay loaded.
Status unload_owner(int64_t owner, link::Linker& linker, memory::Memory& memory);

// Number of units currently recorded as unloadable (for tests).
size_t owned_units();

}  // namespace ocamljit::runtime
