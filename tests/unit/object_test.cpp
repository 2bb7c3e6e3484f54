#include "object/object.hpp"

#include <gtest/gtest.h>

using namespace ocamljit::obj;

TEST(Object, EnsureSectionIsIdempotent) {
  Object o;
  auto t = o.ensure_section(".text", elf::SHT_PROGBITS, elf::SHF_ALLOC | elf::SHF_EXECINSTR, 16);
  auto d = o.ensure_section(".data", elf::SHT_PROGBITS, elf::SHF_ALLOC | elf::SHF_WRITE, 8);
  EXPECT_NE(t, d);
  EXPECT_EQ(o.ensure_section(".text", elf::SHT_PROGBITS, 0, 1), t);
  EXPECT_TRUE(o.sections[t].is_code());
  EXPECT_TRUE(o.sections[d].is_writable());
}

TEST(Object, SymbolsStartUndefined) {
  Object o;
  auto s = o.ensure_symbol("caml_call_gc");
  EXPECT_FALSE(o.symbols[s].defined());
  EXPECT_EQ(o.find_symbol("caml_call_gc"), s);
  EXPECT_FALSE(o.find_symbol("nope").has_value());
}
