// Anonymous read-write memory whose pages are present from the start, for
// tables that grow in big steps (gdb images, the session's symbol table).
// Touching a fresh 4 KiB page costs a page fault, ~1.4 us on a 2-core EPYC
// VM: more than linking a tiny unit's share of it. A mapping of 2 MiB or more
// is made of transparent huge pages where the system has them (one 2 MiB page
// costs ~45 us, 30 times less per byte); a smaller one is populated in one
// system call (MAP_POPULATE).
#pragma once

#include <cstddef>
#include <new>

#include "memory/memory.hpp"
#include "support/error.hpp"

namespace ocamljit::memory {

inline constexpr size_t kHugePage = size_t{2} << 20;

// At least `bytes` (rounded up to pages, or to 2 MiB from 2 MiB on).
Result<Mapping> populated(size_t bytes);

// Whether transparent huge pages can be had (madvise or always mode).
bool huge_pages_available();

// Unmaps `bytes` at `p`, a block `populated` made and Mapping::release gave up.
void unmap_populated(void* p, size_t bytes);

// A std allocator for big, growing tables (the session's symbol table):
// blocks of `kFrom` bytes or more come from `populated` in whole huge pages
// when the system has them (a rehash or a regrowth then costs no page fault
// per 4 KiB), others from operator new.
template <class T>
struct PopulatedAllocator {
  using value_type = T;
  static constexpr size_t kFrom = size_t{256} << 10;
  PopulatedAllocator() = default;
  template <class U>
  PopulatedAllocator(const PopulatedAllocator<U>&) {}
  static bool huge(size_t n) { return n * sizeof(T) >= kFrom && huge_pages_available(); }
  static size_t rounded(size_t n) { return (n * sizeof(T) + kHugePage - 1) / kHugePage * kHugePage; }
  T* allocate(size_t n) {
    if (!huge(n)) return static_cast<T*>(::operator new(n * sizeof(T)));
    auto m = populated(rounded(n));
    if (!m) throw std::bad_alloc();
    return reinterpret_cast<T*>(m->release());
  }
  void deallocate(T* p, size_t n) {
    if (huge(n)) unmap_populated(p, rounded(n));
    else ::operator delete(p);
  }
  template <class U>
  bool operator==(const PopulatedAllocator<U>&) const { return true; }
};

}  // namespace ocamljit::memory
