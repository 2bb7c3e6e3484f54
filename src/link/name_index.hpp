// Names of one link (a library's tens of thousands of global symbols) ->
// small numbers, for the duration of that link. Open addressing over one
// flat array of slots: a lookup costs about one cache miss, where
// std::unordered_map walks a chain of separately allocated nodes after a
// division by a prime, and allocates a node (and a key string) per name.
// Names are views, not copied: their text must outlive the index. Names
// longer than 4 GiB are not.
#pragma once

#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

#include "support/name_hash.hpp"

namespace ocamljit::link {

class NameIndex {
 public:
  // Room for `n` names without growing.
  void reserve(size_t n) {
    if ((n + 1) * 4 > slots_.size() * 3) grow(n);
  }

  // The value of `name` if present (nothing changes), else `value`, now its
  // value: (its value, whether it was inserted).
  std::pair<uint32_t, bool> try_insert(std::string_view name, uint32_t value) {
    reserve(size_ + 1);
    const uint64_t h = hash(name);
    Slot& s = slots_[locate(name, h)];
    if (s.used()) return {s.value, false};
    s = Slot{h, name.empty() ? "" : name.data(), static_cast<uint32_t>(name.size()), value};
    ++size_;
    return {value, true};
  }

  const uint32_t* find(std::string_view name) const {
    if (slots_.empty()) return nullptr;
    const Slot& s = slots_[locate(name, hash(name))];
    return s.used() ? &s.value : nullptr;
  }

  size_t size() const { return size_; }

 private:
  struct Slot {  // 24 bytes: a library's index is thousands of them
    uint64_t hash = 0;
    const char* data = nullptr;  // the name's text; nullptr: the slot is free
    uint32_t size = 0;
    uint32_t value = 0;
    bool used() const { return data != nullptr; }
    std::string_view name() const { return {data, size}; }
  };

  static uint64_t hash(std::string_view s) { return name_hash(s); }

  // The slot holding `name`, or the empty one where it would go.
  size_t locate(std::string_view name, uint64_t h) const {
    const size_t mask = slots_.size() - 1;
    for (size_t k = h & mask;; k = (k + 1) & mask) {
      const Slot& s = slots_[k];
      if (!s.used() || (s.hash == h && s.name() == name)) return k;
    }
  }

  // At least 4/3 of `n` slots, a power of two (at most 3/4 full).
  void grow(size_t n) {
    size_t capacity = 16;
    while (capacity * 3 < (n + 1) * 4) capacity *= 2;
    std::vector<Slot> old(capacity);
    old.swap(slots_);
    const size_t mask = capacity - 1;
    for (const Slot& s : old) {
      if (!s.used()) continue;
      size_t k = s.hash & mask;
      while (slots_[k].used()) k = (k + 1) & mask;
      slots_[k] = s;
    }
  }

  std::vector<Slot> slots_;
  size_t size_ = 0;
};

}  // namespace ocamljit::link
