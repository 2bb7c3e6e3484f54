// Memory for JIT-linked units: three arenas (code, read-only data, writable
// data) carved from one reservation placed within ±2 GiB of the host
// executable, so that PC-relative references between JIT code and the host
// (the OCaml runtime, the stdlib) fit in 32 bits and need no stubs.
//
// Pages are never writable and executable at once. Units are small, so they
// share pages: each arena is a bump allocator. Two ways to keep W^X, chosen
// when the memory is created:
//
// - Dual mapping (the default): the code and read-only arenas are the pages
//   of one memfd, mapped twice: read+execute (read-only) at the reservation,
//   where code runs, and read-write at another address, where the linker
//   writes. `allocate` returns the write address; `Memory::exec_address`
//   gives the address the bytes are seen (and run) at. No system call per
//   unit, and no executable mapping ever becomes writable, which is also what
//   systems that forbid `execmem` (SELinux) need.
// - mprotect (the fallback, when memfd_create or the second mapping fails, or
//   with OCAMLJIT_JIT_MEMORY=mprotect in the environment): a Transaction makes
//   the pages a unit touches read-write (no EXEC), including the tail page it
//   shares with the previous unit, then `seal` gives them their final
//   protection (R+X for code, R for read-only). The shared tail page therefore
//   loses EXEC while a unit is being written; that is safe because OCaml 4
//   runs OCaml code under one master lock, which the loader holds: no code of
//   an earlier unit can run during the write. Here exec_address is the identity.
//
// Writable data is mapped read-write in chunks of a MiB, so most units need no
// call for it either.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>

#include "support/error.hpp"

namespace ocamljit::memory {

enum class Access : uint8_t { Code, ReadOnly, ReadWrite };
inline constexpr int kAccessCount = 3;

// How W^X is kept (see above). Automatic: dual mapping unless it fails or
// OCAMLJIT_JIT_MEMORY=mprotect asks for the fallback.
enum class Mode : uint8_t { Automatic, DualMapping, Mprotect };

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
  // Mode::DualMapping fails if the dual mapping cannot be made; Automatic
  // then falls back to Mprotect.
  static Result<std::unique_ptr<Memory>> create(Range anchor, size_t arena_bytes,
                                                Mode mode = Mode::Automatic);
  ~Memory();

  Mode mode() const { return mode_; }
  // Where bytes written at `written` (an address `allocate` returned, or
  // inside such an allocation) are seen and run.
  uint64_t exec_address(const uint8_t* written) const;

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
    uint8_t* base = nullptr;        // the address bytes are seen at
    uint8_t* write_base = nullptr;  // the address they are written at
    size_t capacity = 0;
    size_t top = 0;     // first free byte
    size_t writable_end = 0;  // ReadWrite arena: pages below are already read-write
    bool open = false;  // inside a transaction
    std::map<size_t, size_t> released;  // freed [lo, hi) below top, by lo
  };
  Memory(Mapping mapping, size_t arena_bytes);
  bool map_twice();                  // dual mapping of the code and read-only arenas
  Status remap_private_copy();       // after fork, in the child: a memfd of its own
  static void after_fork_in_child();

  Mapping mapping_;
  Mode mode_ = Mode::Mprotect;
  Mapping write_view_;               // dual mapping: the code and read-only arenas, writable
  int64_t write_delta_ = 0;          // dual mapping: write address - exec address
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
  // arena of `access`, at their write address (see Memory::exec_address).
  // Zero-filled if fresh.
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
