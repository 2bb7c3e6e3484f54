#include "memory/populated.hpp"

#include <sys/mman.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>

namespace ocamljit::memory {

namespace {
#ifndef MADV_POPULATE_WRITE
constexpr int MADV_POPULATE_WRITE = 23;  // Linux 5.14; older kernels refuse it (the pages then fault in)
#endif
}  // namespace

Result<Mapping> populated(size_t bytes) {
  const size_t page = Memory::page_size();
  if (bytes < kHugePage) {
    const size_t size = (bytes + page - 1) / page * page;
    void* p = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    if (p == MAP_FAILED) return make_error("mmap of ", size, " bytes: ", std::strerror(errno));
    return Mapping(p, size);
  }
  // Huge pages need 2 MiB alignment: map one more and trim.
  const size_t size = (bytes + kHugePage - 1) / kHugePage * kHugePage;
  void* raw = mmap(nullptr, size + kHugePage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) return make_error("mmap of ", size, " bytes: ", std::strerror(errno));
  const auto lo = reinterpret_cast<uintptr_t>(raw);
  const uintptr_t aligned = (lo + kHugePage - 1) & ~(kHugePage - 1);
  if (aligned > lo) munmap(raw, aligned - lo);
  if (aligned + size < lo + size + kHugePage) munmap(reinterpret_cast<void*>(aligned + size), lo + kHugePage - aligned);
  void* p = reinterpret_cast<void*>(aligned);
  // Both are hints: without huge pages (or on an old kernel) the memory is
  // still there, its pages come in as they are touched.
  (void)madvise(p, size, MADV_HUGEPAGE);
  (void)madvise(p, size, MADV_POPULATE_WRITE);
  return Mapping(p, size);
}

bool huge_pages_available() {
  static const bool available = [] {
    std::FILE* f = std::fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
    if (f == nullptr) return false;
    char line[128] = {};
    const bool read = std::fgets(line, sizeof line, f) != nullptr;
    std::fclose(f);
    // "always [madvise] never": the mode in brackets.
    return read && (std::strstr(line, "[always]") != nullptr || std::strstr(line, "[madvise]") != nullptr);
  }();
  return available;
}

void unmap_populated(void* p, size_t bytes) { munmap(p, bytes); }

}  // namespace ocamljit::memory
