// Memory::release: the JIT memory of unloaded units is zeroed and reused
// once it reaches the top of its arena.
#include <gtest/gtest.h>

#include <cstring>

#include "memory_test_support.hpp"

using namespace ocamljit::memory;

namespace {

using memory_test::make_memory;
using memory_test::perms_at;

// One sealed unit of `size` bytes of `fill` in arena `a`; returns its [lo, hi) offsets.
std::pair<size_t, size_t> unit(Memory& m, Access a, size_t size, uint8_t fill, uint8_t** at = nullptr) {
  const size_t lo = m.used(a);
  auto tx = Transaction::begin(m);
  EXPECT_TRUE(tx.ok());
  auto p = tx->allocate(a, size, 16);
  EXPECT_TRUE(p.ok());
  std::memset(*p, fill, size);
  if (at != nullptr) *at = *p;
  EXPECT_TRUE(tx->seal().ok());
  return {lo, m.used(a)};
}

}  // namespace

// Both ways of keeping W^X (memory.hpp): written through a second view, or mprotect.
class MemoryReleaseModes : public ::testing::TestWithParam<Mode> {};
INSTANTIATE_TEST_SUITE_P(Modes, MemoryReleaseModes, ::testing::Values(Mode::DualMapping, Mode::Mprotect));

TEST_P(MemoryReleaseModes, LastInFirstOutGivesEverythingBack) {
  auto m = make_memory(GetParam());
  ASSERT_TRUE(m);
  uint8_t* first = nullptr;
  auto u1 = unit(*m, Access::Code, 100, 0xc3, &first);
  auto u2 = unit(*m, Access::Code, 3 * Memory::page_size(), 0x90);
  ASSERT_TRUE(m->release(Access::Code, u2.first, u2.second).ok());
  EXPECT_EQ(m->used(Access::Code), u1.second);
  // The live unit keeps its page and protection (where it runs).
  EXPECT_EQ(perms_at(reinterpret_cast<const void*>(m->exec_address(first))), "r-x");
  EXPECT_EQ(first[0], 0xc3);
  EXPECT_EQ(first[100], 0);           // cleared past it
  ASSERT_TRUE(m->release(Access::Code, u1.first, u1.second).ok());
  EXPECT_EQ(m->used(Access::Code), 0u);
  // Reused from the start, zero-filled.
  uint8_t* again = nullptr;
  unit(*m, Access::Code, 8, 0xcc, &again);
  EXPECT_EQ(again, first);
}

TEST(MemoryRelease, AHoleIsReusedOnceTheUnitsAboveGo) {
  auto m = make_memory();
  ASSERT_TRUE(m);
  auto a = unit(*m, Access::ReadWrite, 64, 1);
  auto b = unit(*m, Access::ReadWrite, 64, 2);
  auto c = unit(*m, Access::ReadWrite, 64, 3);
  ASSERT_TRUE(m->release(Access::ReadWrite, b.first, b.second).ok());
  EXPECT_EQ(m->used(Access::ReadWrite), c.second);  // b is a hole below c
  ASSERT_TRUE(m->release(Access::ReadWrite, c.first, c.second).ok());
  EXPECT_EQ(m->used(Access::ReadWrite), a.second);  // c and the hole b: back to a's end
  uint8_t* p = nullptr;
  unit(*m, Access::ReadWrite, 1, 0, &p);
  EXPECT_EQ(p[1], 0);  // b's and c's bytes were zeroed
}

TEST(MemoryRelease, BadRangesAreErrors) {
  auto m = make_memory();
  ASSERT_TRUE(m);
  auto a = unit(*m, Access::Code, 32, 0xc3);
  EXPECT_FALSE(m->release(Access::Code, a.second, a.first).ok());
  EXPECT_FALSE(m->release(Access::Code, 0, a.second + 4096).ok());
  auto tx = Transaction::begin(*m);
  ASSERT_TRUE(tx.ok());
  EXPECT_FALSE(m->release(Access::Code, a.first, a.second).ok());  // not during a load
}
