// `.file`/`.loc` become the Object's line table; the oracle is the DWARF
// line program GNU as writes for the same text (objdump --dwarf=decodedline).
#include <gtest/gtest.h>

// GCC 12 reports a false -Wrestrict on `"literal" + std::string` (GCC bug 105329).
#pragma GCC diagnostic ignored "-Wrestrict"

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "support/asm_check.hpp"

using namespace ocamljit;

namespace {

std::string text_with_locs() {
  std::string t = "\t.file\t1\t\"foo.ml\"\n\t.file\t2\t\"bar.ml\"\n\t.text\n\t.globl\tf\nf:\n";
  for (int k = 0; k < 60; ++k) {
    t += "\t.loc\t" + std::to_string(1 + k % 2) + "\t" + std::to_string(10 + k * 3) + "\t" + std::to_string(k % 7) + "\n";
    t += "\tmovq\t%rax, %rbx\n";
    if (k % 5 == 0) t += "\tjmp\t.L" + std::to_string(k + 1) + "\n\t.space\t" + std::to_string(20 * k) + "\n";
    t += ".L" + std::to_string(k + 1) + ":\n";
    if (k % 9 == 0) t += "\t.align\t16\n";
  }
  t += "\tret\n";
  return t;
}

// (file name, line, address) rows of GNU as's line program.
std::vector<std::tuple<std::string, uint32_t, uint64_t>> gnu_rows(const std::string& text) {
  std::vector<std::tuple<std::string, uint32_t, uint64_t>> rows;
  std::string diag;
  auto obj = ocamljit::testing::run_gnu_as(text, &diag);
  if (obj.empty()) return rows;
  char path[] = "/tmp/ocamljit-lines-XXXXXX";
  int fd = mkstemp(path);
  if (fd < 0) return rows;
  close(fd);
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(obj.data()),
                                              static_cast<std::streamsize>(obj.size()));
  FILE* p = popen(("objdump --dwarf=decodedline " + std::string(path)).c_str(), "r");
  char buf[512];
  while (p && fgets(buf, sizeof buf, p)) {
    std::istringstream in(buf);
    std::string file, line, addr;
    in >> file >> line >> addr;
    if (file.size() < 4 || file.substr(file.size() - 3) != ".ml") continue;
    if (line.empty() || !std::isdigit(static_cast<unsigned char>(line[0]))) continue;
    rows.emplace_back(file, static_cast<uint32_t>(std::stoul(line)), std::stoull(addr, nullptr, 0));
  }
  if (p) pclose(p);
  std::remove(path);
  return rows;
}

}  // namespace

TEST(AsmLineTable, MatchesGnuAsLineProgram) {
  const std::string text = text_with_locs();
  auto prog = ocamljit::testing::parse_gas(text);
  ASSERT_TRUE(prog.ok()) << prog.error().message;
  auto o = assembler::assemble(*prog, "lines");
  ASSERT_TRUE(o.ok()) << o.error().message;
  auto rows = gnu_rows(text);
  ASSERT_EQ(rows.size(), o->lines.size());
  ASSERT_GE(o->files.size(), 3u);
  for (size_t k = 0; k < rows.size(); ++k) {
    const auto& e = o->lines[k];
    EXPECT_EQ(std::get<0>(rows[k]), o->files[e.file]) << k;
    EXPECT_EQ(std::get<1>(rows[k]), e.line) << k;
    EXPECT_EQ(std::get<2>(rows[k]), e.offset) << k;
    EXPECT_EQ(e.column, static_cast<uint32_t>(k % 7)) << k;
    EXPECT_EQ(o->sections[e.section].name, ".text");
  }
}
