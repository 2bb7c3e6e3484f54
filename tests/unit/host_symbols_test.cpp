// The registry of host primitives, consulted before the process's symbols.
#include "link/host_symbols.hpp"

#include <gtest/gtest.h>

using namespace ocamljit::link;

TEST(HostSymbols, RegisteredNamesComeFirst) {
  ASSERT_TRUE(define_host_symbol("host_symbols_test_f", 0x1234).ok());
  EXPECT_EQ(host_symbol("host_symbols_test_f"), std::optional<uint64_t>(0x1234));
  EXPECT_EQ(host_symbol("host_symbols_test_missing"), std::nullopt);
  int calls = 0;
  ExternalResolver next = [&](const std::string&) -> std::optional<uint64_t> {
    ++calls;
    return 0x99;
  };
  auto r = with_host_symbols(next);
  EXPECT_EQ(r("host_symbols_test_f"), std::optional<uint64_t>(0x1234));
  EXPECT_EQ(calls, 0);
  EXPECT_EQ(r("anything_else"), std::optional<uint64_t>(0x99));
  EXPECT_EQ(calls, 1);
}

TEST(HostSymbols, ANameIsBoundOnce) {
  ASSERT_TRUE(define_host_symbol("host_symbols_test_g", 0x10).ok());
  EXPECT_TRUE(define_host_symbol("host_symbols_test_g", 0x10).ok());
  auto again = define_host_symbol("host_symbols_test_g", 0x20);
  ASSERT_FALSE(again.ok());
  EXPECT_NE(again.error().message.find("host_symbols_test_g"), std::string::npos);
  EXPECT_EQ(host_symbol("host_symbols_test_g"), std::optional<uint64_t>(0x10));
}

TEST(HostSymbols, BadArgumentsAreErrors) {
  EXPECT_FALSE(define_host_symbol("", 0x10).ok());
  EXPECT_FALSE(define_host_symbol("host_symbols_test_null", 0).ok());
}
