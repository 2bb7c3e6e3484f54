// A growable sequence whose elements never move (references stay valid as
// elements are added) and whose memory outlives clear(): fixed-size chunks,
// kept from one use to the next. It replaces std::deque where a long-lived
// table is refilled unit after unit: libstdc++'s deque frees its blocks on
// clear() and allocates them again for the next unit.
#pragma once

#include <cstddef>
#include <memory>
#include <utility>
#include <vector>

namespace ocamljit::ir {

// (`Elem`, not `T`: OCaml's caml/misc.h, seen by the stubs, defines a macro T.)
template <class Elem, size_t kChunk = 64>
class StablePool {
 public:
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  Elem& operator[](size_t i) { return chunks_[i / kChunk][i % kChunk]; }
  const Elem& operator[](size_t i) const { return chunks_[i / kChunk][i % kChunk]; }
  Elem& back() { return (*this)[size_ - 1]; }

  // A new element (replacing what an earlier use left in its slot),
  // built in place.
  template <class... Args>
  Elem& emplace_back(Args&&... args) {
    Elem& slot = next_slot();
    slot = Elem(std::forward<Args>(args)...);
    return slot;
  }
  Elem& push_back(const Elem& v) {
    Elem& slot = next_slot();
    slot = v;
    return slot;
  }
  // Forgets the elements, keeps the chunks (elements are overwritten when reused).
  void clear() { size_ = 0; }

 private:
  Elem& next_slot() {
    if (size_ == chunks_.size() * kChunk) chunks_.push_back(std::make_unique<Elem[]>(kChunk));
    return (*this)[size_++];
  }

  std::vector<std::unique_ptr<Elem[]>> chunks_;
  size_t size_ = 0;
};

}  // namespace ocamljit::ir
