// Unified diffs, checked with GNU patch (applying ours to the old text gives
// the new one) and against GNU diff -u's hunks where the alignment is unique.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>

#include "support/temp_dir.hpp"
#include "doc/doc.hpp"

using namespace ocamljit;
using namespace ocamljit::doc;

namespace {

using ocamljit::test_support::TempDir;

void write(const std::string& p, const std::string& s) { std::ofstream(p, std::ios::binary) << s; }
std::string read(const std::string& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// Applies our diff with patch(1) and returns the result.
std::string apply_patch(const std::string& old_text, const std::string& new_text) {
  TempDir d;
  write(d.path + "/old", old_text);
  write(d.path + "/diff", unified_diff(old_text, new_text, "old", "new"));
  std::string cmd = "cd " + d.path + " && patch -s -o result old < diff";
  EXPECT_EQ(std::system(cmd.c_str()), 0) << unified_diff(old_text, new_text, "old", "new");
  return read(d.path + "/result");
}

std::string gnu_hunks(const std::string& old_text, const std::string& new_text) {
  TempDir d;
  write(d.path + "/old", old_text);
  write(d.path + "/new", new_text);
  std::string cmd = "cd " + d.path + " && diff -u old new | tail -n +3 > out";
  (void)std::system(cmd.c_str());
  return read(d.path + "/out");
}

// Built with += : GCC 12 warns wrongly (-Wrestrict) on "x" + std::to_string(n).
std::string numbered(const char* prefix, unsigned n) {
  std::string s = prefix;
  s += std::to_string(n);
  return s;
}

std::string our_hunks(const std::string& old_text, const std::string& new_text) {
  std::string s = unified_diff(old_text, new_text, "old", "new");
  auto second = s.find('\n', s.find('\n') + 1);
  return s.substr(second + 1);
}

}  // namespace

TEST(DocDiff, IdenticalTextsGiveNothing) {
  EXPECT_EQ(unified_diff("a\nb\n", "a\nb\n", "x", "y"), "");
  EXPECT_EQ(unified_diff("", "", "x", "y"), "");
}

TEST(DocDiff, HunksLikeGnuDiff) {
  std::string base, changed;
  for (int i = 1; i <= 30; ++i) {
    std::string l = "line " + std::to_string(i) + "\n";
    base += l;
    if (i == 20) changed += "changed 20\n";
    else if (i != 28) changed += l;
    if (i == 5) changed += "inserted after 5\n";
  }
  EXPECT_EQ(our_hunks(base, changed), gnu_hunks(base, changed));
  EXPECT_EQ(our_hunks("", "a\nb\n"), gnu_hunks("", "a\nb\n"));
  EXPECT_EQ(our_hunks("a\nb\n", ""), gnu_hunks("a\nb\n", ""));
  EXPECT_EQ(our_hunks("a\nb", "a\nc"), gnu_hunks("a\nb", "a\nc"));
  EXPECT_EQ(our_hunks("a\nb", "a\nb\n"), gnu_hunks("a\nb", "a\nb\n"));
}

TEST(DocDiff, RandomEditsApplyWithPatch) {
  std::mt19937 rng(42);
  for (int round = 0; round < 40; ++round) {
    std::vector<std::string> a;
    int n = static_cast<int>(rng() % 40);
    for (int i = 0; i < n; ++i) a.push_back(numbered("l", rng() % 8));
    std::vector<std::string> b = a;
    int edits = static_cast<int>(rng() % 6);
    for (int e = 0; e < edits; ++e) {
      std::size_t pos = b.empty() ? 0 : rng() % (b.size() + 1);
      if (rng() % 2 && pos < b.size()) b.erase(b.begin() + static_cast<std::ptrdiff_t>(pos));
      else b.insert(b.begin() + static_cast<std::ptrdiff_t>(pos), numbered("n", rng() % 5));
    }
    std::string sa, sb;
    for (auto& l : a) sa += l + "\n";
    for (auto& l : b) sb += l + "\n";
    if (sa == sb || sa.empty()) continue;
    EXPECT_EQ(apply_patch(sa, sb), sb) << "round " << round;
  }
}
