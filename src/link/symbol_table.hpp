// The global symbols of the units linked so far (and the outside symbols
// found so far): name -> address, the earliest definition winning. A long session holds tens of thousands, and
// every unit adds a few and looks a few up, with cold caches (the compiler ran
// in between): open addressing over a flat array of (hash, entry) slots costs
// about one cache miss per operation, where std::unordered_map walks a chain
// of nodes (a miss each) after a division by a prime.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "support/name_hash.hpp"

namespace ocamljit::link {

class SymbolTable {
 public:
  std::optional<uint64_t> find(std::string_view name) const {
    if (slots_.empty()) return std::nullopt;
    const size_t k = locate(name, hash(name));
    if (slots_[k].entry >= kTombstone) return std::nullopt;
    return entries_[slots_[k].entry].address;
  }

  // Adds `name` unless present (then nothing changes): false if present.
  bool insert(std::string_view name, uint64_t address) {
    if ((used_ + 1) * 4 > slots_.size() * 3) rebuild(std::max<size_t>(64, 2 * (live_ + 1)));
    return insert_hashed(name, hash(name), address);
  }

  // Inserts each (name, address) of `pairs` as `insert` does. The slots are
  // fetched together: one memory latency for the batch, not one per name
  // (the table is cold when a unit is committed).
  template <class Pairs>
  void insert_all(const Pairs& pairs) {
    const size_t n = pairs.size();
    if ((used_ + n) * 4 > slots_.size() * 3) rebuild(std::max<size_t>(64, 2 * (live_ + n)));
    hashes_.clear();
    const size_t mask = slots_.size() - 1;
    for (const auto& [name, address] : pairs) {
      const uint64_t h = hash(name);
      __builtin_prefetch(&slots_[h & mask]);
      hashes_.push_back(h);
    }
    size_t i = 0;
    for (const auto& [name, address] : pairs) insert_hashed(name, hashes_[i++], address);
  }

  // Removes `name` if it maps to `address` (or to anything, without one).
  void erase(std::string_view name, std::optional<uint64_t> address = std::nullopt) {
    if (slots_.empty()) return;
    const size_t k = locate(name, hash(name));
    const uint32_t e = slots_[k].entry;
    if (e >= kTombstone || (address && entries_[e].address != *address)) return;
    slots_[k].entry = kTombstone;
    entries_[e].live = false;  // its name stays in the arena until the next rebuild
    --live_;
  }

  size_t size() const { return live_; }

  void clear() {
    slots_.clear();
    entries_.clear();
    names_ = NameArena{};
    used_ = live_ = 0;
  }

 private:
  static constexpr uint32_t kEmpty = UINT32_MAX;
  static constexpr uint32_t kTombstone = UINT32_MAX - 1;
  struct Slot {
    uint64_t hash = 0;
    uint32_t entry = kEmpty;  // index in entries_, or kEmpty / kTombstone
  };
  struct Entry {
    std::string_view name;  // in names_
    uint64_t address = 0;
    uint64_t hash = 0;      // of name: a rebuild rehashes no name
    bool live = true;       // false once erased
  };

  // The entries' names: copied into blocks that never move, so that a unit's
  // few new symbols cost no allocation of their own (names are longer than
  // std::string's inline storage).
  class NameArena {
   public:
    std::string_view copy(std::string_view s) {
      if (s.size() > kBlock / 4) {  // a rare long name: a block of its own
        big_.push_back(std::make_unique_for_overwrite<char[]>(s.size()));
        std::memcpy(big_.back().get(), s.data(), s.size());
        return {big_.back().get(), s.size()};
      }
      if (blocks_.empty() || used_ + s.size() > kBlock) {
        blocks_.push_back(std::make_unique_for_overwrite<char[]>(kBlock));  // pages touched as names come
        used_ = 0;
      }
      char* at = blocks_.back().get() + used_;
      if (!s.empty()) std::memcpy(at, s.data(), s.size());
      used_ += s.size();
      return {at, s.size()};
    }

   private:
    static constexpr size_t kBlock = size_t{64} << 10;
    std::vector<std::unique_ptr<char[]>> blocks_, big_;
    size_t used_ = 0;  // in the last block
  };

  static uint64_t hash(std::string_view s) { return name_hash(s); }

  // `insert` once the table has room.
  bool insert_hashed(std::string_view name, uint64_t h, uint64_t address) {
    const size_t k = locate(name, h);
    if (slots_[k].entry < kTombstone) return false;
    if (slots_[k].entry == kEmpty) ++used_;  // a reused tombstone was counted already
    slots_[k] = Slot{h, static_cast<uint32_t>(entries_.size())};
    entries_.push_back(Entry{names_.copy(name), address, h, true});
    ++live_;
    return true;
  }

  // The slot holding `name`, or else the slot to insert it in: the first
  // tombstone on its probe sequence, or the empty slot that ends it.
  size_t locate(std::string_view name, uint64_t h) const {
    const size_t mask = slots_.size() - 1;
    size_t reuse = SIZE_MAX;
    for (size_t k = h & mask;; k = (k + 1) & mask) {
      const Slot& s = slots_[k];
      if (s.entry == kEmpty) return reuse != SIZE_MAX ? reuse : k;
      if (s.entry == kTombstone) {
        if (reuse == SIZE_MAX) reuse = k;
      } else if (s.hash == h && entries_[s.entry].name == name) {
        return k;
      }
    }
  }

  // A table of `capacity` slots (rounded up to a power of two) holding the
  // live entries, in their order; tombstones, erased entries and their names go.
  void rebuild(size_t capacity) {
    size_t n = 64;
    while (n < capacity) n *= 2;
    std::vector<Entry> live;
    live.reserve(live_ + 1);
    const bool compact = live_ < entries_.size();  // names of erased entries to drop
    NameArena names;
    for (Entry& e : entries_)
      if (e.live) live.push_back(Entry{compact ? names.copy(e.name) : e.name, e.address, e.hash, true});
    if (compact) names_ = std::move(names);
    entries_ = std::move(live);
    slots_.assign(n, Slot{});
    const size_t mask = n - 1;
    for (uint32_t i = 0; i < entries_.size(); ++i) {
      const uint64_t h = entries_[i].hash;
      size_t k = h & mask;
      while (slots_[k].entry != kEmpty) k = (k + 1) & mask;
      slots_[k] = Slot{h, i};
    }
    used_ = live_ = entries_.size();
  }

  std::vector<Slot> slots_;      // a power of two of them, at most 3/4 used
  std::vector<Entry> entries_;   // in order of insertion
  std::vector<uint64_t> hashes_;  // insert_all's, kept for their memory
  NameArena names_;
  size_t used_ = 0;              // slots not empty (live or tombstones)
  size_t live_ = 0;
};

}  // namespace ocamljit::link
