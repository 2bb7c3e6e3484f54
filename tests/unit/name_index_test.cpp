// NameIndex: the open-addressing name -> number map of one link.
#include "link/name_index.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace ocamljit;

TEST(NameIndex, FirstInsertWinsAndLookupsFindEveryName) {
  link::NameIndex index;
  EXPECT_EQ(index.find("absent"), nullptr);
  std::vector<std::string> names;
  for (int i = 0; i < 5000; ++i) names.push_back("camlModule__function_" + std::to_string(i));
  for (size_t i = 0; i < names.size(); ++i) {
    const auto [value, inserted] = index.try_insert(names[i], static_cast<uint32_t>(i));
    EXPECT_TRUE(inserted);
    EXPECT_EQ(value, i);
  }
  // Growing (from 16 slots to thousands) kept every name.
  EXPECT_EQ(index.size(), names.size());
  for (size_t i = 0; i < names.size(); ++i) {
    const uint32_t* v = index.find(names[i]);
    ASSERT_NE(v, nullptr) << names[i];
    EXPECT_EQ(*v, i);
  }
  const auto [value, inserted] = index.try_insert(names[7], 99999);
  EXPECT_FALSE(inserted);
  EXPECT_EQ(value, 7u);
  EXPECT_EQ(*index.find(names[7]), 7u);
  EXPECT_EQ(index.find("camlModule__function_5000"), nullptr);
  EXPECT_EQ(index.find(""), nullptr);
  EXPECT_TRUE(index.try_insert("", 3).second);  // the empty name is a name
  EXPECT_EQ(*index.find(""), 3u);
}

TEST(NameIndex, ReserveThenInsertKeepsViews) {
  link::NameIndex index;
  index.reserve(100);
  const std::string a = "x", b = "y";
  index.try_insert(a, 1);
  index.try_insert(b, 2);
  EXPECT_EQ(*index.find(std::string("x")), 1u);
  EXPECT_EQ(*index.find(std::string("y")), 2u);
}
