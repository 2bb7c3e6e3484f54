// Names to small ids (the assembler's labels): an open-addressing table of
// string_views, cleared in O(1) by a generation counter, so that one table
// serves unit after unit without allocating (a std::unordered_map allocates a
// node per name and frees them all at the end of every unit).
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

#include "support/name_hash.hpp"

namespace ocamljit::assembler {

class NameIndex {
 public:
  // Forgets every name; keeps the table's memory.
  void clear() {
    ++generation_;
    size_ = 0;
    if (generation_ == 0) {  // wrapped: stale slots could look current
      for (Slot& s : slots_) s.generation = 0;
      for (Recent& r : recent_) r.generation = 0;
      generation_ = 1;
    }
  }

  // The id of `name`, or `next_id` (recorded for it) when it is new: `inserted` tells which.
  // `name` must stay valid, and its bytes unchanged, until the next clear().
  uint32_t find_or_add(std::string_view name, uint32_t next_id, bool& inserted) {
    uint32_t id = 0;
    if (find_recent(name, id)) {
      inserted = false;
      return id;
    }
    id = find_or_add_hashed(name, next_id, inserted);
    recent_[recent_slot(name)] = Recent{name.data(), static_cast<uint32_t>(name.size()), id, generation_};
    return id;
  }

  // The short path of find_or_add, for callers to inline: the decoder
  // interns names, so a name seen again is usually the same bytes (same
  // address and size, hence same name), found here without hashing.
  bool find_recent(std::string_view name, uint32_t& id) const {
    const Recent& r = recent_[recent_slot(name)];
    if (r.data == name.data() && r.size == name.size() && r.generation == generation_) {
      id = r.id;
      return true;
    }
    return false;
  }

 private:
  static size_t recent_slot(std::string_view name) {
    return static_cast<size_t>((reinterpret_cast<uintptr_t>(name.data()) * 0x9E3779B97F4A7C15ull) >> 58);
  }

  uint32_t find_or_add_hashed(std::string_view name, uint32_t next_id, bool& inserted) {
    if ((size_ + 1) * 4 > slots_.size() * 3) grow();
    const size_t mask = slots_.size() - 1;
    const size_t h = hash(name);
    const auto tag = static_cast<uint32_t>(h >> 32);
    for (size_t i = h & mask;; i = (i + 1) & mask) {
      Slot& s = slots_[i];
      if (s.generation != generation_) {
        s = Slot{name.data(), static_cast<uint32_t>(name.size()), next_id, generation_, tag};
        ++size_;
        inserted = true;
        return next_id;
      }
      // The decoder interns names: a repeated name is usually the same bytes.
      if (s.tag == tag && s.size == name.size() &&
          (s.data == name.data() || std::memcmp(s.data, name.data(), name.size()) == 0)) {
        inserted = false;
        return s.id;
      }
    }
  }

  struct Slot {
    const char* data = nullptr;  // the name
    uint32_t size = 0;
    uint32_t id = 0;
    uint32_t generation = 0;  // current when equal to generation_
    uint32_t tag = 0;         // high bits of the name's hash: most mismatches compare no bytes
  };

  static size_t hash(std::string_view s) { return static_cast<size_t>(name_hash(s)); }

  void grow() {
    std::vector<Slot> old;
    old.swap(slots_);
    slots_.assign(old.empty() ? 64 : old.size() * 2, Slot{});
    const size_t mask = slots_.size() - 1;
    for (const Slot& s : old) {
      if (s.generation != generation_) continue;
      size_t i = hash(std::string_view(s.data, s.size)) & mask;
      while (slots_[i].generation == generation_) i = (i + 1) & mask;
      slots_[i] = s;
    }
  }

  // A direct-mapped cache of the latest names, by address (64 entries:
  // the multiplicative hash above keeps 6 bits).
  struct Recent {
    const char* data = nullptr;
    uint32_t size = 0;
    uint32_t id = 0;
    uint32_t generation = 0;
  };
  Recent recent_[64];

  std::vector<Slot> slots_;
  uint32_t generation_ = 1;
  size_t size_ = 0;
};

}  // namespace ocamljit::assembler
