// Replays the inputs that once crashed the assembler fuzzer
// (tests/fuzz/asm-crashers, found by `make fuzz-asm`): each must now give
// an object or an error.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

#include "../fuzz/asm_fuzz.cpp"

TEST(AsmFuzzRegressions, CrashersNoLongerCrash) {
  const std::filesystem::path dir = std::filesystem::path(OCAMLJIT_SOURCE_DIR) / "tests/fuzz/asm-crashers";
  size_t n = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    std::ifstream f(entry.path(), std::ios::binary);
    std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    EXPECT_EQ(LLVMFuzzerTestOneInput(bytes.data(), bytes.size()), 0) << entry.path();
    ++n;
  }
  EXPECT_GT(n, 0u);
}
