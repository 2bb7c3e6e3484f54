// Helpers shared by the memory unit tests: a small JIT memory, the
// protections of an address, the W^X check over the whole process.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <string>

#include "jit_test_support.hpp"
#include "memory/memory.hpp"

namespace memory_test {

inline constexpr size_t kArena = size_t{16} << 20;

inline std::unique_ptr<ocamljit::memory::Memory> make_memory(
    ocamljit::memory::Mode mode = ocamljit::memory::Mode::Automatic) {
  auto m = ocamljit::memory::Memory::create(ocamljit::memory::host_image(), kArena, mode);
  EXPECT_TRUE(m.ok()) << (m.ok() ? "" : m.error().message);
  return m.ok() ? std::move(*m) : nullptr;
}

// "rwx"-style permissions of the mapping holding `a` ("" if none).
inline std::string perms_at(uintptr_t a) {
  for (const auto& e : jit_test::maps())
    if (a >= e.lo && a < e.hi) return e.perms.substr(0, 3);
  return "";
}
inline std::string perms_at(const void* p) { return perms_at(reinterpret_cast<uintptr_t>(p)); }

// No mapping of the process is writable and executable at once.
inline void expect_no_wx() {
  for (const auto& e : jit_test::maps())
    EXPECT_FALSE(e.perms.find('w') != std::string::npos && e.perms.find('x') != std::string::npos)
        << std::hex << e.lo << "-" << e.hi << " " << e.perms;
}

}  // namespace memory_test
