// The hash of a symbol or label name, shared by the engine's name tables
// (the assembler's labels, the linker's symbol table and group index).
// Eight bytes at a time: a byte-wise hash is a chain of dependent
// multiplications, one per character of names like camlTOP12__gc_roots.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace ocamljit {

inline uint64_t name_hash(std::string_view s) {
  constexpr uint64_t kMul = 0x9E3779B97F4A7C15ull;
  uint64_t h = s.size() * kMul;
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    h = (h ^ w) * kMul;
    h ^= h >> 32;
  }
  // The last 1 to 7 bytes: the last 8 bytes of a long name (overlapping
  // what was hashed), else at most three loads, never a loop of bytes.
  uint64_t tail = 0;
  const size_t rest = s.size() - i;
  if (rest != 0 && s.size() >= 8) {
    std::memcpy(&tail, s.data() + s.size() - 8, 8);
  } else if (rest >= 4) {
    uint32_t a, b;
    std::memcpy(&a, s.data() + i, 4);
    std::memcpy(&b, s.data() + s.size() - 4, 4);
    tail = (uint64_t{a} << 32) | b;
  } else if (rest != 0) {
    // 1 to 3 bytes: first, middle and last.
    tail = (uint64_t{static_cast<uint8_t>(s[i])} << 16) |
           (uint64_t{static_cast<uint8_t>(s[i + rest / 2])} << 8) | static_cast<uint8_t>(s[s.size() - 1]);
  }
  h = (h ^ tail) * kMul;
  return h ^ (h >> 29);
}

}  // namespace ocamljit
