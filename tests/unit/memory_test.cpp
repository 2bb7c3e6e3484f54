#include "memory/memory.hpp"

#include <gtest/gtest.h>

#include <cstring>

#include "jit_test_support.hpp"

using namespace ocamljit::memory;

namespace {

constexpr size_t kArena = size_t{16} << 20;

std::unique_ptr<Memory> make_memory() {
  auto m = Memory::create(host_image(), kArena);
  EXPECT_TRUE(m.ok()) << (m.ok() ? "" : m.error().message);
  return m.ok() ? std::move(*m) : nullptr;
}

// No mapping of the process is writable and executable at once.
void expect_no_wx() {
  for (const auto& e : jit_test::maps())
    EXPECT_FALSE(e.perms.find('w') != std::string::npos && e.perms.find('x') != std::string::npos)
        << std::hex << e.lo << "-" << e.hi << " " << e.perms;
}

std::string perms_at(const void* p) {
  const auto a = reinterpret_cast<uintptr_t>(p);
  for (const auto& e : jit_test::maps())
    if (a >= e.lo && a < e.hi) return e.perms.substr(0, 3);
  return "";
}

}  // namespace

TEST(Memory, HostImageContainsThisCode) {
  const Range image = host_image();
  EXPECT_TRUE(image.contains(reinterpret_cast<uintptr_t>(&host_image)) ||
              image.contains(reinterpret_cast<uintptr_t>(&make_memory)));
}

TEST(Memory, PlacedWithin2GiBOfTheExecutable) {
  auto m = make_memory();
  ASSERT_TRUE(m);
  const Range image = host_image();
  const Range span = m->span();
  const auto far = std::max(image.hi, span.hi) - std::min(image.lo, span.lo);
  EXPECT_LT(far, uintptr_t{1} << 31);
  for (int a = 0; a < kAccessCount; ++a) {
    const Range r = m->arena_range(static_cast<Access>(a));
    EXPECT_GE(r.lo, span.lo);
    EXPECT_LE(r.hi, span.hi);
  }
}

TEST(Memory, NeverWritableAndExecutable) {
  auto m = make_memory();
  ASSERT_TRUE(m);
  std::vector<uint8_t*> code;
  for (int unit = 0; unit < 20; ++unit) {
    auto tx = Transaction::begin(*m);
    ASSERT_TRUE(tx.ok());
    auto c = tx->allocate(Access::Code, 100 + 300 * static_cast<size_t>(unit), 16);
    auto r = tx->allocate(Access::ReadOnly, 24, 8);
    auto d = tx->allocate(Access::ReadWrite, 5000, 8);
    ASSERT_TRUE(c.ok() && r.ok() && d.ok());
    std::memset(*c, 0xc3, 100);  // ret
    **r = 1;
    **d = 2;
    EXPECT_EQ(perms_at(*c), "rw-");  // being written: not executable
    expect_no_wx();
    ASSERT_TRUE(tx->seal().ok());
    EXPECT_EQ(perms_at(*c), "r-x");
    EXPECT_EQ(perms_at(*r), "r--");
    EXPECT_EQ(perms_at(*d), "rw-");
    expect_no_wx();
    code.push_back(*c);
  }
  // Units share pages: 20 small units take far fewer than 20 code pages.
  EXPECT_LT(m->used(Access::Code), 20 * Memory::page_size() * 2);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(code[1]) / Memory::page_size(),
            reinterpret_cast<uintptr_t>(code[0]) / Memory::page_size());
  // Earlier code still runs after later units were written on its page.
  auto fn = reinterpret_cast<void (*)()>(code[0]);
  fn();
}

TEST(Memory, RollbackLeavesNoTrace) {
  auto m = make_memory();
  ASSERT_TRUE(m);
  uint8_t* first = nullptr;
  {
    auto tx = Transaction::begin(*m);
    ASSERT_TRUE(tx.ok());
    auto c = tx->allocate(Access::Code, 10, 16);
    ASSERT_TRUE(c.ok());
    std::memset(*c, 0xc3, 10);
    first = *c;
    ASSERT_TRUE(tx->seal().ok());
  }
  const size_t used = m->used();
  {
    auto tx = Transaction::begin(*m);
    ASSERT_TRUE(tx.ok());
    auto c = tx->allocate(Access::Code, 3 * Memory::page_size(), 16);
    ASSERT_TRUE(c.ok());
    std::memset(*c, 0x90, 3 * Memory::page_size());
    // A second transaction cannot start while one is open.
    EXPECT_FALSE(Transaction::begin(*m).ok());
  }  // not sealed: rolled back
  EXPECT_EQ(m->used(), used);
  EXPECT_EQ(perms_at(first), "r-x");
  EXPECT_EQ(first[10], 0);  // the shared tail page was cleared past the sealed unit
  expect_no_wx();
  auto tx = Transaction::begin(*m);
  ASSERT_TRUE(tx.ok());
  auto c = tx->allocate(Access::Code, 1, 1);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(*c, first + 10);
}

TEST(Memory, ExhaustionAndBadAlignmentAreErrors) {
  auto m = make_memory();
  ASSERT_TRUE(m);
  auto tx = Transaction::begin(*m);
  ASSERT_TRUE(tx.ok());
  EXPECT_FALSE(tx->allocate(Access::ReadWrite, kArena + 1, 8).ok());
  EXPECT_FALSE(tx->allocate(Access::ReadWrite, 8, 3).ok());
  EXPECT_FALSE(tx->allocate(Access::ReadWrite, 8, 1 << 20).ok());
}
