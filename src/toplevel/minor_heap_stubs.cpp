// Transparent huge pages for the minor heap (Compiler_api.configure_gc).
// The toplevel's minor heap is 8 MiB; each phrase allocates ~160 KiB in it,
// so over the first fifty phrases every 4 KiB page of it is touched for the
// first time: some 2 000 page faults, a fifth of the CPU time of a 100-phrase
// session. Backed by 2 MiB pages it costs four. Only advice: a kernel with
// huge pages off (or an older one) ignores it, and nothing else changes.
#include <caml/mlvalues.h>

#include <sys/mman.h>

#include <cstdint>

extern "C" {

value ocamljit_advise_minor_heap_huge(value /*unit*/) {
#ifdef MADV_HUGEPAGE
  constexpr uintptr_t kHugePage = uintptr_t{2} << 20;
  // Only whole huge pages inside the heap: the rest of its pages are malloc's.
  const auto start = reinterpret_cast<uintptr_t>(Caml_state->young_start);
  const auto end = reinterpret_cast<uintptr_t>(Caml_state->young_end);
  const uintptr_t first = (start + kHugePage - 1) & ~(kHugePage - 1);
  const uintptr_t last = end & ~(kHugePage - 1);
  if (last > first) {
    // Failure (EINVAL on a kernel without THP) leaves ordinary pages: nothing to report.
    (void)madvise(reinterpret_cast<void*>(first), last - first, MADV_HUGEPAGE);
  }
#endif
  return Val_unit;
}

}  // extern "C"
