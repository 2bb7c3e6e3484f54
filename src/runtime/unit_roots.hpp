// GC roots of JIT units, kept flat over long sessions.
//
// A unit's `__gc_roots` lists its static module blocks, whose fields point
// into the OCaml heap. The native dynlinker hands them to
// caml_register_dyn_global, and OCaml 4.13 scans every field of every
// dynamic global at every minor collection: the cost of a minor GC then grows
// with the number of phrases of the session (a quarter of the CPU time after
// 20 000 phrases). Here a unit's blocks are scanned by every collection only
// while its entry runs (when plain stores initialise them); once the entry
// has returned, its young pointers go to the write barrier's remembered set,
// and only major collections (marking, compaction) visit its blocks — the
// treatment the runtime gives the static module blocks of the executable.
#pragma once

namespace ocamljit::runtime::unit_roots {

// `gc_roots` (a unit's __gc_roots: module blocks, then 0) is about to run.
void add(void* gc_roots);

// The entry of the unit of `gc_roots` has returned or raised: its blocks are
// initialised. A no-op for a table that `add` did not see.
void settle(void* gc_roots);

// The unit of `gc_roots` is being unloaded: its blocks are no longer roots.
// Call after a minor collection (the remembered set may point into them).
void forget(void* gc_roots);

}  // namespace ocamljit::runtime::unit_roots
