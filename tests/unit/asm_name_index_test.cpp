// The assembler's table of label names: every length of name (the hash reads
// 8-byte words, then a tail of 0 to 7 bytes by overlapping loads), names that
// differ in one byte only, names found by address or by contents, and reuse
// after clear() (the same addresses then hold other names).
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
  std::vector<std::string> scratch(all.size());  // same buffers every round
  for (int round = 0; round < 3; ++round) {  // clear() keeps the table: reused
    // Each round, other names at the same addresses as the previous round's:
    // new after clear(), not mistaken for those.
    index.clear();
    for (size_t k = 0; k < all.size(); ++k) {
      scratch[k] = all[k] + static_cast<char>('0' + round);
      bool inserted = false;
      EXPECT_EQ(index.find_or_add(scratch[k], static_cast<uint32_t>(k), inserted), k) << scratch[k];
      EXPECT_TRUE(inserted) << scratch[k];
    }
    index.clear();
    for (size_t k = 0; k < all.size(); ++k) {
      bool inserted = false;
      EXPECT_EQ(index.find_or_add(all[k], static_cast<uint32_t>(k), inserted), k) << all[k];
      EXPECT_TRUE(inserted) << all[k];
    }
    // Found again through the same bytes (the table's cache of addresses),
    // and through copies elsewhere (hashing); like the assembler's names,
    // they stay in place until clear().
    const std::vector<std::string> copies(all.begin(), all.end());
    for (size_t k = 0; k < all.size(); ++k) {
      for (const std::string* name : {&all[k], &copies[k]}) {
        bool inserted = true;
        EXPECT_EQ(index.find_or_add(*name, 999999, inserted), k) << *name;
        EXPECT_FALSE(inserted) << *name;
      }
    }
  }
}

TEST(AsmNameIndex, SameAddressAfterClearIsAnotherName) {
  // A few names (all in the table's cache of recent addresses), then other
  // names in the same buffers after clear(): each is new.
  std::vector<std::string> names = {"camlTOP1__entry", "camlTOP1", ".L100", "camlTOP1__gc_roots"};
  NameIndex index;
  for (int round = 0; round < 3; ++round) {
    index.clear();
    for (size_t k = 0; k < names.size(); ++k) {
      names[k].back() = static_cast<char>('a' + round);  // same length, same buffer
      bool inserted = false;
      EXPECT_EQ(index.find_or_add(names[k], static_cast<uint32_t>(10 * round + k), inserted),
                10 * round + k) << names[k];
      EXPECT_TRUE(inserted) << names[k];
    }
  }
}
