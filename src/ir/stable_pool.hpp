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

template <class T, size_t kChunk = 64>
class StablePool {
 public:
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  T& operator[](size_t i) { return chunks_[i / kChunk][i % kChunk]; }
  const T& operator[](size_t i) const { return chunks_[i / kChunk][i % kChunk]; }
  T& back() { return (*this)[size_ - 1]; }

  // A new element (replacing what an earlier use left in its slot).
  template <class... Args>
  T& emplace_back(Args&&... args) {
    return push_back(T(std::forward<Args>(args)...));
  }
  T& push_back(T v) {
    if (size_ == chunks_.size() * kChunk) chunks_.push_back(std::make_unique<T[]>(kChunk));
    T& slot = (*this)[size_++];
    slot = std::move(v);
    return slot;
  }
  // Forgets the elements, keeps the chunks (elements are overwritten when reused).
  void clear() { size_ = 0; }

 private:
  std::vector<std::unique_ptr<T[]>> chunks_;
  size_t size_ = 0;
};

}  // namespace ocamljit::ir
