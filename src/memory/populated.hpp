// Anonymous read-write memory whose pages are present from the start, for
// tables that grow in big steps (gdb images, the session's symbol table).
// Touching a fresh 4 KiB page costs a page fault, ~1.4 us on a 2-core EPYC
// VM: more than linking a tiny unit's share of it. A mapping of 2 MiB or more
// is made of transparent huge pages where the system has them (one 2 MiB page
// costs ~45 us, 30 times less per byte); a smaller one is populated in one
// system call (MAP_POPULATE).
#pragma once

#include <cstddef>

#include "memory/memory.hpp"
#include "support/error.hpp"

namespace ocamljit::memory {

inline constexpr size_t kHugePage = size_t{2} << 20;

// At least `bytes` (rounded up to pages, or to 2 MiB from 2 MiB on).
Result<Mapping> populated(size_t bytes);

}  // namespace ocamljit::memory
