#include "memory/memory.hpp"

#include <link.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>
#include <vector>

namespace ocamljit::memory {
namespace {

constexpr int64_t kReach = int64_t{1} << 31;

int final_protection(Access a) {
  switch (a) {
    case Access::Code: return PROT_READ | PROT_EXEC;
    case Access::ReadOnly: return PROT_READ;
    case Access::ReadWrite: return PROT_READ | PROT_WRITE;
  }
  return PROT_NONE;
}

size_t round_up(size_t n, size_t a) { return (n + a - 1) & ~(a - 1); }
size_t round_down(size_t n, size_t a) { return n & ~(a - 1); }

int first_image(struct dl_phdr_info* info, size_t, void* out) {
  auto* r = static_cast<Range*>(out);
  uintptr_t lo = UINTPTR_MAX, hi = 0;
  for (int i = 0; i < info->dlpi_phnum; ++i) {
    const auto& ph = info->dlpi_phdr[i];
    if (ph.p_type != PT_LOAD) continue;
    lo = std::min<uintptr_t>(lo, info->dlpi_addr + ph.p_vaddr);
    hi = std::max<uintptr_t>(hi, info->dlpi_addr + ph.p_vaddr + ph.p_memsz);
  }
  *r = Range{lo, hi};
  return 1;  // the first object is the main program
}

}  // namespace

Range host_image() {
  Range r;
  dl_iterate_phdr(first_image, &r);
  return r;
}

Mapping::Mapping(Mapping&& o) noexcept
    : base_(std::exchange(o.base_, nullptr)), size_(std::exchange(o.size_, 0)) {}
Mapping& Mapping::operator=(Mapping&& o) noexcept {
  if (this != &o) {
    if (base_ != nullptr) munmap(base_, size_);
    base_ = std::exchange(o.base_, nullptr);
    size_ = std::exchange(o.size_, 0);
  }
  return *this;
}
Mapping::~Mapping() {
  if (base_ != nullptr) munmap(base_, size_);
}

size_t Memory::page_size() {
  static const size_t size = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  return size;
}

Memory::Memory(Mapping mapping, size_t arena_bytes) : mapping_(std::move(mapping)) {
  for (int i = 0; i < kAccessCount; ++i) {
    arenas_[i].base = mapping_.base() + arena_bytes * static_cast<size_t>(i);
    arenas_[i].capacity = arena_bytes;
  }
}

Result<std::unique_ptr<Memory>> Memory::create(Range anchor, size_t arena_bytes) {
  const size_t page = page_size();
  arena_bytes = round_up(std::max<size_t>(arena_bytes, page), page);
  const size_t total = arena_bytes * kAccessCount;
  const uintptr_t anchor_lo = round_down(anchor.lo, page);
  const uintptr_t anchor_hi = round_up(anchor.hi, page);
  // Below the image first (above it lies the brk heap), nearest first.
  const size_t gaps[] = {size_t{16} << 20, size_t{64} << 20, size_t{256} << 20, size_t{512} << 20};
  std::vector<uintptr_t> candidates;
  for (size_t gap : gaps)
    if (anchor_lo > total + gap) candidates.push_back(anchor_lo - gap - total);
  for (size_t gap : gaps) candidates.push_back(anchor_hi + (size_t{256} << 20) + gap);
  for (uintptr_t at : candidates) {
    // Every byte of the reservation must reach every byte of the image.
    const int64_t far = static_cast<int64_t>(std::max(anchor_hi, at + total) - std::min(anchor_lo, at));
    if (far >= kReach) continue;
    void* p = mmap(reinterpret_cast<void*>(at), total, PROT_NONE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE, -1, 0);
    if (p == MAP_FAILED) continue;
    if (reinterpret_cast<uintptr_t>(p) != at) {  // kernels without NOREPLACE treat it as a hint
      munmap(p, total);
      continue;
    }
    return std::unique_ptr<Memory>(new Memory(Mapping(p, total), arena_bytes));
  }
  return make_error("JIT memory: cannot reserve ", total >> 20,
                    " MiB within 2 GiB of the executable");
}

Range Memory::span() const {
  const auto lo = reinterpret_cast<uintptr_t>(mapping_.base());
  return Range{lo, lo + mapping_.size()};
}

Range Memory::arena_range(Access a) const {
  const Arena& arena = arenas_[static_cast<int>(a)];
  const auto lo = reinterpret_cast<uintptr_t>(arena.base);
  return Range{lo, lo + arena.capacity};
}

size_t Memory::used() const {
  size_t n = 0;
  for (const Arena& a : arenas_) n += a.top;
  return n;
}

Transaction::Transaction(Memory& memory) : memory_(&memory) {
  for (int i = 0; i < kAccessCount; ++i) start_[i] = memory.arenas_[i].top;
}

Transaction::Transaction(Transaction&& o) noexcept
    : memory_(o.memory_), done_(std::exchange(o.done_, true)) {
  std::copy(std::begin(o.start_), std::end(o.start_), std::begin(start_));
}

Result<Transaction> Transaction::begin(Memory& memory) {
  if (memory.in_transaction_) return make_error("JIT memory: a unit is already being loaded");
  memory.in_transaction_ = true;
  return Transaction(memory);
}

Transaction::~Transaction() {
  if (!done_) rollback();
}

Result<uint8_t*> Transaction::allocate(Access access, size_t size, size_t alignment) {
  if (done_) return make_error("JIT memory: allocation after seal");
  if (alignment == 0 || (alignment & (alignment - 1)) != 0 || alignment > Memory::page_size())
    return make_error("JIT memory: bad alignment ", alignment);
  Memory::Arena& arena = memory_->arenas_[static_cast<int>(access)];
  const size_t page = Memory::page_size();
  const size_t offset = round_up(arena.top, alignment);
  if (offset > arena.capacity || size > arena.capacity - offset)
    return make_error("JIT memory: arena exhausted (", arena.capacity >> 20, " MiB)");
  // Writable data keeps its pages read-write: only fresh pages need a call.
  const size_t first = access == Access::ReadWrite ? arena.writable_end : round_down(arena.top, page);
  const size_t end = round_up(offset + size, page);
  if (end > first &&
      mprotect(arena.base + first, end - first, PROT_READ | PROT_WRITE) != 0)
    return make_error("JIT memory: mprotect: ", std::strerror(errno));
  if (access == Access::ReadWrite) arena.writable_end = std::max(arena.writable_end, end);
  arena.top = offset + size;
  arena.open = true;
  return arena.base + offset;
}

Status Transaction::seal() {
  if (done_) return make_error("JIT memory: sealed twice");
  const size_t page = Memory::page_size();
  for (int i = 0; i < kAccessCount; ++i) {
    Memory::Arena& arena = memory_->arenas_[i];
    if (!arena.open || static_cast<Access>(i) == Access::ReadWrite) continue;
    const size_t first = round_down(start_[i], page);
    const size_t end = round_up(arena.top, page);
    if (end > first &&
        mprotect(arena.base + first, end - first, final_protection(static_cast<Access>(i))) != 0)
      return make_error("JIT memory: mprotect: ", std::strerror(errno));
  }
  for (auto& arena : memory_->arenas_) arena.open = false;
  memory_->in_transaction_ = false;
  done_ = true;
  return ok_status();
}

void Transaction::rollback() {
  const size_t page = Memory::page_size();
  for (int i = 0; i < kAccessCount; ++i) {
    Memory::Arena& arena = memory_->arenas_[i];
    if (arena.open && static_cast<Access>(i) == Access::ReadWrite) {
      std::memset(arena.base + start_[i], 0, arena.top - start_[i]);
    } else if (arena.open) {
      const size_t fresh = round_up(start_[i], page);
      const size_t end = round_up(arena.top, page);
      // Fresh pages go back to PROT_NONE and lose their contents; a tail page
      // shared with earlier units is cleared past them and gets its final
      // protection back.
      if (end > fresh) {
        (void)mprotect(arena.base + fresh, end - fresh, PROT_NONE);
        (void)madvise(arena.base + fresh, end - fresh, MADV_DONTNEED);
      }
      if (start_[i] < fresh) {
        std::memset(arena.base + start_[i], 0, fresh - start_[i]);
        (void)mprotect(arena.base + fresh - page, page, final_protection(static_cast<Access>(i)));
      }
    }
    arena.top = start_[i];
    arena.open = false;
  }
  memory_->in_transaction_ = false;
  done_ = true;
}

Status Memory::release(Access a, size_t lo, size_t hi) {
  if (in_transaction_) return make_error("JIT memory: release during a load");
  Arena& arena = arenas_[static_cast<int>(a)];
  if (lo > hi || hi > arena.top) return make_error("JIT memory: bad release [", lo, ", ", hi, ")");
  if (lo == hi) return ok_status();
  arena.released[lo] = hi;
  // Pull the top down over every freed range that touches it.
  size_t top = arena.top;
  while (!arena.released.empty()) {
    auto last = std::prev(arena.released.end());
    if (last->second != top) break;
    top = last->first;
    arena.released.erase(last);
  }
  if (top == arena.top) return ok_status();
  const size_t page = page_size();
  const size_t old_top = arena.top;
  arena.top = top;
  if (a == Access::ReadWrite) {
    // Data pages stay read-write; clear what the next unit expects zeroed.
    std::memset(arena.base + top, 0, old_top - top);
    return ok_status();
  }
  const size_t fresh = round_up(top, page);
  const size_t end = round_up(old_top, page);
  if (end > fresh) {
    if (mprotect(arena.base + fresh, end - fresh, PROT_NONE) != 0 ||
        madvise(arena.base + fresh, end - fresh, MADV_DONTNEED) != 0)
      return make_error("JIT memory: release: ", std::strerror(errno));
  }
  if (top < fresh) {
    // The page shared with live units: cleared past them, protection kept.
    uint8_t* shared = arena.base + fresh - page;
    if (mprotect(shared, page, PROT_READ | PROT_WRITE) != 0)
      return make_error("JIT memory: release: ", std::strerror(errno));
    std::memset(arena.base + top, 0, fresh - top);
    if (mprotect(shared, page, final_protection(a)) != 0)
      return make_error("JIT memory: release: ", std::strerror(errno));
  }
  return ok_status();
}

}  // namespace ocamljit::memory
