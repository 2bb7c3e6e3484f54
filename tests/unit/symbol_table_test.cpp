// The linker's global symbol table (link/symbol_table.hpp), checked against
// std::map as a model over many inserts, lookups and erasures (growth,
// tombstones, reuse of erased names).
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>

#include "link/symbol_table.hpp"

using ocamljit::link::SymbolTable;

TEST(SymbolTable, EarliestDefinitionWins) {
  SymbolTable t;
  EXPECT_FALSE(t.find("camlTOP1").has_value());
  EXPECT_TRUE(t.insert("camlTOP1", 10));
  EXPECT_FALSE(t.insert("camlTOP1", 20));
  EXPECT_EQ(t.find("camlTOP1"), 10u);
  EXPECT_EQ(t.size(), 1u);
}

TEST(SymbolTable, EraseOnlyTheGivenAddress) {
  SymbolTable t;
  t.insert("f", 1);
  t.erase("f", 2);  // another unit's definition: kept
  EXPECT_EQ(t.find("f"), 1u);
  t.erase("f", 1);
  EXPECT_FALSE(t.find("f").has_value());
  EXPECT_TRUE(t.insert("f", 3));  // the name can come back
  EXPECT_EQ(t.find("f"), 3u);
  t.erase("f");
  EXPECT_FALSE(t.find("f").has_value());
  EXPECT_EQ(t.size(), 0u);
  t.insert("", 4);  // an empty name is a name like another
  EXPECT_EQ(t.find(""), 4u);
  t.clear();
  EXPECT_EQ(t.size(), 0u);
  EXPECT_FALSE(t.find("").has_value());
  EXPECT_TRUE(t.insert("f", 5));
  EXPECT_EQ(t.find("f"), 5u);
}

TEST(SymbolTable, AgreesWithAMapOverManyOperations) {
  SymbolTable t;
  std::map<std::string, uint64_t> model;
  std::mt19937 rng(42);
  for (int step = 0; step < 200000; ++step) {
    const std::string name = "camlTOP" + std::to_string(rng() % 5000) + "__gc_roots";
    switch (rng() % 4) {
      case 0: case 1: {
        const uint64_t a = rng();
        const bool fresh = model.emplace(name, a).second;
        ASSERT_EQ(t.insert(name, a), fresh) << name;
        break;
      }
      case 2: {
        t.erase(name);
        model.erase(name);
        break;
      }
      default: {
        auto it = model.find(name);
        auto found = t.find(name);
        ASSERT_EQ(found.has_value(), it != model.end()) << name;
        if (found) {
          ASSERT_EQ(*found, it->second) << name;
        }
      }
    }
    ASSERT_EQ(t.size(), model.size());
  }
  for (const auto& [name, address] : model) ASSERT_EQ(t.find(name), address) << name;
}
