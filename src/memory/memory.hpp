// Memory for JIT-linked units: three arenas (code, read-only data, writable
// data) carved from one reservation placed within ±2 GiB of the host
// executable, so that PC-relative references between JIT code and the host
// (the OCaml runtime, the stdlib) fit in 32 bits and need no stubs.
//
// Pages are never writable and executable at once. Units are small, so they
// share pages: each arena is a bump allocator. A unit is written through a
// Transaction: the pages it touches are made read-write (PROT_READ|WRITE, no
// EXEC), including the tail page it shares with the previous unit, then
// `seal` gives them their final protection (R+X for code, R for read-only).
// The shared tail page therefore loses EXEC while a unit is being written;
// that is safe because OCaml 4 runs OCaml code under one master lock, which
// the loader holds: no code of an earlier unit can run during the write.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>

#include "support/error.hpp"

namespace ocamljit::memory {

enum class Access : uint8_t { Code, ReadOnly, ReadWrite };
inline constexpr int kAccessCount = 3;

struct Range {
  uintptr_t lo = 0, hi = 0;  // [lo, hi)
  bool contains(uintptr_t a) const { return a >= lo && a < hi; }
};

// The address range of the main program's loaded segments.
Range host_image();

// An anonymous mapping, unmapped on destruction.
class Mapping {
 public:
  Mapping() = default;
  Mapping(void* base, size_t size) : base_(base), size_(size) {}
  Mapping(const Mapping&) = delete;
  Mapping& operator=(const Mapping&) = delete;
  Mapping(Mapping&& o) noexcept;
  Mapping& operator=(Mapping&& o) noexcept;
  ~Mapping();
  uint8_t* base() const { return static_cast<uint8_t*>(base_); }
  size_t size() const { return size_; }

 private:
  void* base_ = nullptr;
  size_t size_ = 0;
};

class Transaction;

class Memory {
 public:
  // Reserves 3 * `arena_bytes` of address space within ±2 GiB of `anchor`.
  static Result<std::unique_ptr<Memory>> create(Range anchor, size_t arena_bytes);

  // Where every allocation lies: any address in here is within ±2 GiB of the
  // anchor and of every other address in here.
  Range span() const;
  Range arena_range(Access a) const;
  // Bytes handed out so far, per arena and in total.
  size_t used(Access a) const { return arenas_[static_cast<int>(a)].top; }
  size_t used() const;
  static size_t page_size();

  // Gives back [lo, hi) (offsets in the arena of `a`) of an unloaded unit.
  // Freed ranges are reused once they reach the top of their arena (units
  // are mostly freed last-in first-out); the space is zeroed, and pages
  // wholly above the new top lose their contents and access. Outside a
  // transaction only.
  Status release(Access a, size_t lo, size_t hi);

 private:
  friend class Transaction;
  struct Arena {
    uint8_t* base = nullptr;
    size_t capacity = 0;
    size_t top = 0;     // first free byte
    size_t writable_end = 0;  // ReadWrite arena: pages below are already read-write
    bool open = false;  // inside a transaction
    std::map<size_t, size_t> released;  // freed [lo, hi) below top, by lo
  };
  Memory(Mapping mapping, size_t arena_bytes);

  Mapping mapping_;
  Arena arenas_[kAccessCount];
  bool in_transaction_ = false;
};

// Space for one unit. Rolled back on destruction unless sealed.
class Transaction {
 public:
  static Result<Transaction> begin(Memory& memory);
  Transaction(Transaction&& o) noexcept;
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  Transaction& operator=(Transaction&&) = delete;
  ~Transaction();

  // `size` writable bytes aligned on `alignment` (a power of two) in the
  // arena of `access`. Zero-filled if fresh.
  Result<uint8_t*> allocate(Access access, size_t size, size_t alignment);
  // Final protections; the allocations become permanent.
  Status seal();

 private:
  explicit Transaction(Memory& memory);
  void rollback();
  Memory* memory_;
  size_t start_[kAccessCount];
  bool done_ = false;
};

}  // namespace ocamljit::memory
