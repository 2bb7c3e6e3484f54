// Replays the ELF fuzzer's seeds and the inputs that once crashed it
// (tests/fuzz/elf, `make fuzz-elf`): each must link or give a one-line error
// naming the input; the seeds (real gcc/g++ objects) must link.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

#include "fuzz/elf_fuzz_input.hpp"
#include "memory/memory.hpp"

using namespace ocamljit;

namespace {
void anywhere() {}

std::vector<uint8_t> read(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}
}  // namespace

TEST(ElfFuzzRegressions, SeedsLinkAndCrashersGiveErrors) {
  auto m = memory::Memory::create(memory::host_image(), size_t{64} << 20);
  ASSERT_TRUE(m.ok());
  link::Linker linker(**m, fuzz::fuzz_resolver(reinterpret_cast<uint64_t>(&anywhere)));
  const std::filesystem::path dir = std::filesystem::path(OCAMLJIT_SOURCE_DIR) / "tests/fuzz/elf";
  size_t seeds = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file() || entry.path().extension() == ".md" || entry.path().filename() == ".keep")
      continue;
    const auto bytes = read(entry.path());
    const std::string error = fuzz::link_fuzz_input(linker, bytes);
    const bool crasher = entry.path().parent_path().filename() == "crashers";
    if (crasher) {
      EXPECT_EQ(error.find('\n'), std::string::npos) << entry.path() << ": " << error;
    } else {
      EXPECT_EQ(error, "") << entry.path();
      ++seeds;
    }
  }
  EXPECT_GE(seeds, 4u);
}

// Truncations of every seed at many lengths: errors, never crashes.
TEST(ElfFuzzRegressions, TruncatedSeeds) {
  auto m = memory::Memory::create(memory::host_image(), size_t{64} << 20);
  ASSERT_TRUE(m.ok());
  link::Linker linker(**m, fuzz::fuzz_resolver(reinterpret_cast<uint64_t>(&anywhere)));
  const std::filesystem::path dir = std::filesystem::path(OCAMLJIT_SOURCE_DIR) / "tests/fuzz/elf";
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (!entry.is_regular_file() || entry.path().extension() != ".elf") continue;
    const auto bytes = read(entry.path());
    for (size_t n = 0; n < bytes.size(); n += 7) {
      const std::string error = fuzz::link_fuzz_input(linker, std::span(bytes.data(), n));
      EXPECT_NE(error, "") << entry.path() << " cut at " << n;
    }
  }
}
