// The assembler's table of label names: every length of name (the hash reads
// 8-byte words, then a tail of 0 to 7 bytes by overlapping loads), names that
// differ in one byte only, and reuse after clear().
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "asm/name_index.hpp"

using ocamljit::assembler::NameIndex;

namespace {

// Names of every length up to 40, and for each, variants that differ in a
// single byte at every position: all must get distinct ids.
std::vector<std::string> names() {
  std::vector<std::string> out;
  for (size_t len = 0; len <= 40; ++len) {
    std::string base(len, 'a');
    for (size_t k = 0; k < len; ++k) base[k] = static_cast<char>('a' + k % 26);
    out.push_back(base);
    for (size_t k = 0; k < len; ++k) {
      std::string v = base;
      v[k] = '#';
      out.push_back(v);
    }
  }
  return out;
}

}  // namespace

TEST(AsmNameIndex, EveryLengthAndEveryByteCounts) {
  const std::vector<std::string> all = names();
  NameIndex index;
  for (int round = 0; round < 3; ++round) {  // clear() keeps the table: reused
    index.clear();
    for (size_t k = 0; k < all.size(); ++k) {
      bool inserted = false;
      EXPECT_EQ(index.find_or_add(all[k], static_cast<uint32_t>(k), inserted), k) << all[k];
      EXPECT_TRUE(inserted) << all[k];
    }
    // Found again through other copies of the same bytes.
    for (size_t k = 0; k < all.size(); ++k) {
      const std::string copy = all[k];
      bool inserted = true;
      EXPECT_EQ(index.find_or_add(copy, 999999, inserted), k) << all[k];
      EXPECT_FALSE(inserted) << all[k];
    }
  }
}
