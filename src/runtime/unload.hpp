// Units that can be unloaded: the phrases of an embedding session. Every unit
// named TOP<n> that is loaded while an owner (a session) is current is
// recorded under it; unloading an owner undoes what registration did
// (frametable, code fragment, static data, GC roots), unpublishes the unit's
// symbols and gives its JIT memory back for reuse.
//
// GC roots: OCaml 4.13 cannot unregister a dynamic global, so an owned unit's
// root table is copied into a slot this registry owns and registers once;
// unloading empties the slot (the GC then scans nothing there) and a later
// unit reuses it. The runtime's list of roots is bounded by the largest
// number of units alive at once.
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

// Registers a unit's GC root table (0-terminated) with the runtime: directly
// when the unit is permanent, through a reusable slot when it is owned.
void register_roots(void* roots, const std::string& prefix);

// Records a registered unit; [before, after) are the arena tops around its link.
void note_unit(const link::LinkedUnit& linked, const std::string& prefix, ArenaMarks before,
               ArenaMarks after);

// Unloads every unit of `owner`, newest first. Units that define symbols
// other than their own (a phrase's copy of caml_curryN, which later units
// may call) stay loaded.
Status unload_owner(int64_t owner, link::Linker& linker, memory::Memory& memory);

// Number of units currently recorded as unloadable (for tests).
size_t owned_units();

}  // namespace ocamljit::runtime
