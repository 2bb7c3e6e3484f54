#include "memory/memory.hpp"

#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

#include "memory_test_support.hpp"

using namespace ocamljit::memory;

namespace {

using memory_test::expect_no_wx;
using memory_test::kArena;
using memory_test::make_memory;
using memory_test::perms_at;

// Both ways of keeping W^X, each tested explicitly.
class MemoryModes : public ::testing::TestWithParam<Mode> {};
std::string mode_name(const ::testing::TestParamInfo<Mode>& info) {
  return info.param == Mode::DualMapping ? "DualMapping" : "Mprotect";
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

TEST_P(MemoryModes, NeverWritableAndExecutable) {
  auto m = make_memory(GetParam());
  ASSERT_TRUE(m);
  ASSERT_EQ(m->mode(), GetParam());
  const bool dual = GetParam() == Mode::DualMapping;
  std::vector<uint64_t> code;
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
    const uint64_t run_at = m->exec_address(*c);
    EXPECT_TRUE(m->span().contains(run_at));
    EXPECT_EQ(m->exec_address(*d), reinterpret_cast<uint64_t>(*d));  // writable data: one address
    EXPECT_EQ(perms_at(*c), "rw-");  // being written: not executable
    // Dual mapping: the code stays executable, and is never writable there.
    EXPECT_EQ(perms_at(run_at), dual ? "r-x" : "rw-");
    if (dual) {
      EXPECT_NE(run_at, reinterpret_cast<uint64_t>(*c));
    }
    expect_no_wx();
    ASSERT_TRUE(tx->seal().ok());
    EXPECT_EQ(perms_at(run_at), "r-x");
    EXPECT_EQ(perms_at(m->exec_address(*r)), "r--");
    EXPECT_EQ(perms_at(*d), "rw-");
    // What was written is what runs.
    EXPECT_EQ(*reinterpret_cast<const uint8_t*>(run_at), 0xc3);
    EXPECT_EQ(*reinterpret_cast<const uint8_t*>(m->exec_address(*r)), 1);
    expect_no_wx();
    code.push_back(run_at);
  }
  // Units share pages: 20 small units take far fewer than 20 code pages.
  EXPECT_LT(m->used(Access::Code), 20 * Memory::page_size() * 2);
  EXPECT_EQ(code[1] / Memory::page_size(), code[0] / Memory::page_size());
  // Earlier code still runs after later units were written on its page.
  auto fn = reinterpret_cast<void (*)()>(code[0]);
  fn();
}

TEST_P(MemoryModes, RollbackLeavesNoTrace) {
  auto m = make_memory(GetParam());
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
  const auto* first_run = reinterpret_cast<const uint8_t*>(m->exec_address(first));
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
  EXPECT_EQ(perms_at(first_run), "r-x");
  EXPECT_EQ(first_run[0], 0xc3);
  EXPECT_EQ(first_run[10], 0);  // the shared tail page was cleared past the sealed unit
  expect_no_wx();
  auto tx = Transaction::begin(*m);
  ASSERT_TRUE(tx.ok());
  auto c = tx->allocate(Access::Code, 1, 1);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(*c, first + 10);
  // Fresh pages after a rollback are zero again.
  auto more = tx->allocate(Access::Code, 2 * Memory::page_size(), 16);
  ASSERT_TRUE(more.ok());
  EXPECT_EQ((*more)[Memory::page_size()], 0);
}

INSTANTIATE_TEST_SUITE_P(Modes, MemoryModes, ::testing::Values(Mode::DualMapping, Mode::Mprotect),
                         mode_name);

// The automatic mode maps twice unless the environment asks for the fallback.
TEST(Memory, AutomaticModeAndEnvironmentFallback) {
  unsetenv("OCAMLJIT_JIT_MEMORY");
  auto m = make_memory();
  ASSERT_TRUE(m);
  EXPECT_EQ(m->mode(), Mode::DualMapping);
  setenv("OCAMLJIT_JIT_MEMORY", "mprotect", 1);
  auto f = make_memory();
  unsetenv("OCAMLJIT_JIT_MEMORY");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->mode(), Mode::Mprotect);
}

// A forked child writes its next units on pages of its own: the parent's
// code, written after the fork at the same place, is not overwritten.
TEST(Memory, ForkedChildDoesNotWriteOnTheParentsCode) {
  auto m = make_memory(Mode::DualMapping);
  ASSERT_TRUE(m);
  uint8_t* before = nullptr;
  {
    auto tx = Transaction::begin(*m);
    ASSERT_TRUE(tx.ok());
    auto c = tx->allocate(Access::Code, 16, 16);
    ASSERT_TRUE(c.ok());
    std::memset(*c, 0xc3, 16);
    before = *c;
    ASSERT_TRUE(tx->seal().ok());
  }
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // Writes its own unit where the parent's next one will go.
    auto tx = Transaction::begin(*m);
    auto c = tx->allocate(Access::Code, 16, 16);
    std::memset(*c, 0xcc, 16);
    (void)tx->seal();
    const auto* run = reinterpret_cast<const uint8_t*>(m->exec_address(*c));
    const bool ok_before = reinterpret_cast<const uint8_t*>(m->exec_address(before))[0] == 0xc3;
    _exit(ok_before && run[0] == 0xcc ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  auto tx = Transaction::begin(*m);
  ASSERT_TRUE(tx.ok());
  auto c = tx->allocate(Access::Code, 16, 16);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(*c, before + 16);
  EXPECT_EQ((*c)[0], 0);  // the child's 0xcc bytes are not in the parent's memory
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
