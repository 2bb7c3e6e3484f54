#include "memory/memory.hpp"

#include <link.h>
#include <pthread.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <utility>
#include <vector>

namespace ocamljit::memory {
namespace {

constexpr int64_t kReach = int64_t{1} << 31;
// Writable data is made read-write this much at a time (address space only:
// a page costs memory when first touched).
constexpr size_t kWritableChunk = size_t{1} << 20;

// A library's allocation (megabytes, about to be written whole) gets its
// pages in one call, not one fault each; a phrase's few bytes fault as they
// are written. Kernels without MADV_POPULATE_WRITE (before 5.14) fault.
constexpr size_t kPopulateBytes = size_t{256} << 10;
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif
void populate(uint8_t* at, size_t size) {
  const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  const auto lo = (reinterpret_cast<uintptr_t>(at) + page - 1) & ~(page - 1);
  const auto hi = (reinterpret_cast<uintptr_t>(at) + size) & ~(page - 1);
  if (hi > lo) (void)madvise(reinterpret_cast<void*>(lo), hi - lo, MADV_POPULATE_WRITE);
}
// The arenas of the dual mapping: code, then read-only data, in one memfd.
constexpr int kDualArenas = 2;

// The memories in dual-mapping mode, for the fork handler.
std::mutex dual_memories_mutex;
std::vector<Memory*>& dual_memories() {
  static std::vector<Memory*> all;
  return all;
}

int open_memfd() {
  const int fd = memfd_create("ocamljit-code", MFD_CLOEXEC);
  return fd;
}

// Whether a debugger (ptrace) is attached to this process now.
bool traced() {
  FILE* f = std::fopen("/proc/self/status", "r");
  if (f == nullptr) return false;
  char line[256];
  bool yes = false;
  while (std::fgets(line, sizeof line, f) != nullptr)
    if (std::strncmp(line, "TracerPid:", 10) == 0) {
      yes = std::strtol(line + 10, nullptr, 10) != 0;
      break;
    }
  std::fclose(f);
  return yes;
}

Mode requested_mode(Mode mode) {
  if (mode != Mode::Automatic) return mode;
  const char* env = std::getenv("OCAMLJIT_JIT_MEMORY");
  if (env != nullptr && std::strcmp(env, "mprotect") == 0) return Mode::Mprotect;
  if (env != nullptr && std::strcmp(env, "dual") == 0) return Mode::Automatic;
  // A debugger sets software breakpoints by writing code through ptrace,
  // which the kernel refuses on a shared read-only (memfd) mapping: under a
  // debugger started with the process, code pages are private (mprotect mode).
  if (traced()) return Mode::Mprotect;
  return Mode::Automatic;
}

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
    arenas_[i].write_base = arenas_[i].base;
    arenas_[i].capacity = arena_bytes;
  }
}

Memory::~Memory() {
  if (mode_ != Mode::DualMapping) return;
  std::lock_guard<std::mutex> lock(dual_memories_mutex);
  auto& all = dual_memories();
  all.erase(std::remove(all.begin(), all.end(), this), all.end());
}

// Maps the code and read-only arenas as one memfd, read+execute (read-only)
// over the reservation and read-write elsewhere. On failure nothing changed.
bool Memory::map_twice() {
  const size_t arena = arenas_[0].capacity;
  const size_t total = arena * kDualArenas;
  const int fd = open_memfd();
  if (fd < 0) return false;
  bool ok = ftruncate(fd, static_cast<off_t>(total)) == 0;
  void* write = ok ? mmap(nullptr, total, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) : MAP_FAILED;
  ok = write != MAP_FAILED;
  Mapping write_view = ok ? Mapping(write, total) : Mapping();
  int mapped = 0;
  for (; ok && mapped < kDualArenas; ++mapped) {
    void* at = arenas_[mapped].base;
    const int prot = final_protection(static_cast<Access>(mapped));
    ok = mmap(at, arena, prot, MAP_SHARED | MAP_FIXED, fd, static_cast<off_t>(arena * mapped)) == at;
  }
  close(fd);
  if (!ok) {
    // Back to the untouched reservation for the arenas already mapped.
    for (int i = 0; i < mapped; ++i)
      (void)mmap(arenas_[i].base, arena, PROT_NONE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0);
    return false;
  }
  write_view_ = std::move(write_view);
  write_delta_ = reinterpret_cast<intptr_t>(write_view_.base()) - reinterpret_cast<intptr_t>(arenas_[0].base);
  for (int i = 0; i < kDualArenas; ++i) arenas_[i].write_base = write_view_.base() + arena * static_cast<size_t>(i);
  mode_ = Mode::DualMapping;
  static std::once_flag registered;
  std::call_once(registered, [] { pthread_atfork(nullptr, nullptr, &Memory::after_fork_in_child); });
  std::lock_guard<std::mutex> lock(dual_memories_mutex);
  dual_memories().push_back(this);
  return true;
}

// A forked child shares the memfd with its parent: both would write their
// next units on the same pages. The child maps the pages from its own top
// onwards to a memfd of its own (the tail page copied); the pages below are
// never written again by either process, so they stay shared.
Status Memory::remap_private_copy() {
  const size_t page = page_size();
  const size_t arena = arenas_[0].capacity;
  const int fd = open_memfd();
  if (fd < 0) return make_error("memfd_create: ", std::strerror(errno));
  Status st = ok_status();
  if (ftruncate(fd, static_cast<off_t>(arena * kDualArenas)) != 0)
    st = make_error("ftruncate: ", std::strerror(errno));
  std::vector<uint8_t> tail(page);
  for (int i = 0; st && i < kDualArenas; ++i) {
    Arena& a = arenas_[i];
    const size_t lo = round_down(a.top, page);
    if (lo >= a.capacity) continue;
    std::memcpy(tail.data(), a.write_base + lo, page);
    const auto off = static_cast<off_t>(arena * static_cast<size_t>(i) + lo);
    if (mmap(a.write_base + lo, a.capacity - lo, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, off) ==
            MAP_FAILED ||
        mmap(a.base + lo, a.capacity - lo, final_protection(static_cast<Access>(i)), MAP_SHARED | MAP_FIXED,
             fd, off) == MAP_FAILED) {
      st = make_error("mmap: ", std::strerror(errno));
      break;
    }
    std::memcpy(a.write_base + lo, tail.data(), a.top - lo);
  }
  close(fd);
  return st;
}

void Memory::after_fork_in_child() {
  // Only this thread exists in the child: no lock needed (and the mutex may
  // have been held by another thread of the parent).
  for (Memory* m : dual_memories())
    if (auto st = m->remap_private_copy(); !st)
      std::fprintf(stderr, "ocamljit: JIT memory after fork: %s; new code may overwrite the parent's\n",
                   st.error().message.c_str());
}

Result<std::unique_ptr<Memory>> Memory::create(Range anchor, size_t arena_bytes, Mode mode) {
  mode = requested_mode(mode);
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
  // A low (non-PIE) executable has no room below it, and the kernel starts
  // the brk heap up to 1 GiB above it, at random: also just above the
  // current break, leaving the heap as much room to grow as reach allows
  // (malloc turns to mmap when the break cannot move).
  const uintptr_t brk = round_up(reinterpret_cast<uintptr_t>(sbrk(0)), page);
  for (auto gap = std::rbegin(gaps); gap != std::rend(gaps); ++gap) candidates.push_back(brk + *gap);
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
    std::unique_ptr<Memory> memory(new Memory(Mapping(p, total), arena_bytes));
    if (mode != Mode::Mprotect && !memory->map_twice() && mode == Mode::DualMapping)
      return make_error("JIT memory: cannot map the code arena twice (memfd): ", std::strerror(errno));
    return memory;
  }
  return make_error("JIT memory: cannot reserve ", total >> 20,
                    " MiB within 2 GiB of the executable");
}

uint64_t Memory::exec_address(const uint8_t* written) const {
  const auto w = reinterpret_cast<uintptr_t>(written);
  const auto lo = reinterpret_cast<uintptr_t>(write_view_.base());
  if (mode_ == Mode::DualMapping && w >= lo && w < lo + write_view_.size())
    return static_cast<uint64_t>(static_cast<int64_t>(w) - write_delta_);
  return w;
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
  const bool dual = memory_->mode_ == Mode::DualMapping && access != Access::ReadWrite;
  if (access == Access::ReadWrite) {
    // Writable data keeps its pages read-write: only fresh chunks need a call.
    const size_t end = round_up(offset + size, page);
    if (end > arena.writable_end) {
      const size_t grown = std::min(arena.capacity, std::max(end, round_up(end, kWritableChunk)));
      if (mprotect(arena.base + arena.writable_end, grown - arena.writable_end, PROT_READ | PROT_WRITE) != 0)
        return make_error("JIT memory: mprotect: ", std::strerror(errno));
      arena.writable_end = grown;
    }
  } else if (!dual) {
    const size_t first = round_down(arena.top, page);
    const size_t end = round_up(offset + size, page);
    if (end > first && mprotect(arena.base + first, end - first, PROT_READ | PROT_WRITE) != 0)
      return make_error("JIT memory: mprotect: ", std::strerror(errno));
  }
  arena.top = offset + size;
  arena.open = true;
  if (size >= kPopulateBytes) populate(arena.write_base + offset, size);
  return arena.write_base + offset;
}

Status Transaction::seal() {
  if (done_) return make_error("JIT memory: sealed twice");
  const size_t page = Memory::page_size();
  for (int i = 0; i < kAccessCount; ++i) {
    Memory::Arena& arena = memory_->arenas_[i];
    if (!arena.open || static_cast<Access>(i) == Access::ReadWrite) continue;
    if (memory_->mode_ == Mode::DualMapping) {
      // The bytes were written through the other view: no protection to
      // change; x86 keeps instruction fetch coherent with stores (elsewhere
      // this is where the instruction cache is flushed).
      __builtin___clear_cache(reinterpret_cast<char*>(arena.base + start_[i]),
                              reinterpret_cast<char*>(arena.base + arena.top));
      continue;
    }
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
    } else if (arena.open && memory_->mode_ == Mode::DualMapping) {
      // Fresh pages go back to the memfd as holes (zero, no memory); the tail
      // page shared with earlier units is cleared past them.
      const size_t fresh = round_up(start_[i], page);
      const size_t end = round_up(arena.top, page);
      if (end > fresh && madvise(arena.write_base + fresh, end - fresh, MADV_REMOVE) != 0)
        std::memset(arena.write_base + fresh, 0, end - fresh);
      std::memset(arena.write_base + start_[i], 0, std::min(fresh, arena.top) - start_[i]);
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
  if (mode_ == Mode::DualMapping) {
    // As in a rollback: whole pages back to the memfd as holes, the page
    // shared with live units cleared past them, all through the write view.
    if (end > fresh && madvise(arena.write_base + fresh, end - fresh, MADV_REMOVE) != 0)
      std::memset(arena.write_base + fresh, 0, end - fresh);
    std::memset(arena.write_base + top, 0, std::min(fresh, old_top) - top);
    return ok_status();
  }
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
