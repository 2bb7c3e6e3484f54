// Transparent huge pages for the minor heap (Compiler_api.configure_gc).
// The toplevel's minor heap is 8 MiB; each phrase allocates ~160 KiB in it,
// so over the first fifty phrases every 4 KiB page of it is touched for the
// first time: some 2 000 page faults, a fifth of the CPU time of a 100-phrase
// session. Backed by 2 MiB pages it costs four. Only advice: a kernel with
// huge pages off (or an older one) ignores it, and nothing else changes.
//
// With the common `defrag=madvise` setting, advice makes a first touch compact
// memory synchronously when no free 2 MiB block is left: on a fragmented
// machine a 100-phrase session then took up to twice as long. So the advice
// is given only when the buddy allocator has free 2 MiB blocks to spare
// (/proc/buddyinfo), i.e. when a huge page costs no compaction.
#include <caml/mlvalues.h>

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <string_view>

namespace {

constexpr uintptr_t kHugePage = uintptr_t{2} << 20;
constexpr int kHugeOrder = 9;  // 2 MiB = 2^9 pages of 4 KiB

// Free blocks of at least 2 MiB, counted in 2 MiB units, over every zone of
// /proc/buddyinfo ("Node 0, zone Normal  c0 c1 ... c10": free blocks of each
// order); -1 when the file cannot be read or parsed.
long free_huge_blocks() {
  const int fd = open("/proc/buddyinfo", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  char buf[4096];
  size_t len = 0;
  for (ssize_t n; len < sizeof buf && (n = read(fd, buf + len, sizeof buf - len)) != 0;) {
    if (n < 0) {
      close(fd);
      return -1;
    }
    len += static_cast<size_t>(n);
  }
  close(fd);
  long total = 0;
  bool parsed = false;
  std::string_view text(buf, len);
  while (!text.empty()) {
    const size_t eol = text.find('\n');
    std::string_view line = text.substr(0, eol);
    text = eol == std::string_view::npos ? std::string_view{} : text.substr(eol + 1);
    const size_t zone = line.find("zone");
    if (zone == std::string_view::npos) continue;
    // Skip "zone" and the zone's name, then read the counts by order.
    size_t i = zone + 4;
    while (i < line.size() && line[i] == ' ') ++i;
    while (i < line.size() && line[i] != ' ') ++i;
    for (int order = 0; i < line.size(); ++order) {
      while (i < line.size() && line[i] == ' ') ++i;
      if (i == line.size()) break;
      long count = 0;
      bool digits = false;
      for (; i < line.size() && line[i] >= '0' && line[i] <= '9'; ++i, digits = true)
        count = count * 10 + (line[i] - '0');
      if (!digits) return -1;
      if (order >= kHugeOrder && order < 62) total += count << (order - kHugeOrder);
      parsed = true;
    }
  }
  return parsed ? total : -1;
}

}  // namespace

extern "C" {

value ocamljit_advise_minor_heap_huge(value /*unit*/) {
#ifdef MADV_HUGEPAGE
  // Only whole huge pages inside the heap: the rest of its pages are malloc's.
  const auto start = reinterpret_cast<uintptr_t>(Caml_state->young_start);
  const auto end = reinterpret_cast<uintptr_t>(Caml_state->young_end);
  const uintptr_t first = (start + kHugePage - 1) & ~(kHugePage - 1);
  const uintptr_t last = end & ~(kHugePage - 1);
  const long wanted = static_cast<long>((last - first) / kHugePage);
  // A margin over what the heap takes: other processes allocate too.
  constexpr long kMargin = 16;
  if (last > first && free_huge_blocks() >= wanted + kMargin) {
    // Failure (EINVAL on a kernel without THP) leaves ordinary pages: nothing to report.
    (void)madvise(reinterpret_cast<void*>(first), last - first, MADV_HUGEPAGE);
  }
#endif
  return Val_unit;
}

}  // extern "C"
