// The image gdb gets for a unit (src/debug): symbols at run addresses, the
// line table and the unwind table, read back by binutils (objdump, readelf)
// as the oracle.
#include <gtest/gtest.h>

#include <cstdio>
#include <cctype>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "debug/debug.hpp"
#include "asm/assembler.hpp"
#include "support/asm_check.hpp"
#include "support/temp_dir.hpp"

using namespace ocamljit;

namespace {

const char* kText =
    "\t.file\t1\t\"phrase.ml\"\n"
    "\t.data\n\t.globl\tcamlTOP7\ncamlTOP7:\n\t.quad\t1\ncamlTOP7__1:\n\t.quad\t2\n"
    "\t.text\n"
    "\t.globl\tcamlTOP7__f_10\n\t.type\tcamlTOP7__f_10, @function\ncamlTOP7__f_10:\n"
    "\t.cfi_startproc\n"
    "\t.loc\t1\t3\t4\n\tsubq\t$8, %rsp\n\t.cfi_adjust_cfa_offset\t8\n"
    "\t.loc\t1\t4\t2\n\tmovq\t%rax, %rbx\n\tcall\tcamlTOP7__g_11\n"
    "\t.loc\t1\t5\t0\n\taddq\t$8, %rsp\n\t.cfi_adjust_cfa_offset\t-8\n\tret\n"
    "\t.cfi_endproc\n"
    "\t.size\tcamlTOP7__f_10, .-camlTOP7__f_10\n"
    "\t.globl\tcamlTOP7__g_11\n\t.type\tcamlTOP7__g_11, @function\ncamlTOP7__g_11:\n"
    "\t.cfi_startproc\n"
    "\t.loc\t1\t9\t0\n\tmovq\t$1, %rax\n\tret\n"
    "\t.cfi_endproc\n"
    "\t.size\tcamlTOP7__g_11, .-camlTOP7__g_11\n";

std::string run(const std::string& command) {
  std::string out;
  if (FILE* p = popen(command.c_str(), "r")) {
    char buf[512];
    while (fgets(buf, sizeof buf, p)) out += buf;
    pclose(p);
  }
  return out;
}

struct Fixture {
  obj::Object object;
  link::LinkedUnit linked;
};

// The unit "linked" at made-up run addresses (nothing is executed).
Fixture linked_unit() {
  auto prog = ocamljit::testing::parse_gas(kText);
  EXPECT_TRUE(prog.ok());
  auto o = assembler::assemble(*prog, "TOP7");
  EXPECT_TRUE(o.ok()) << o.error().message;
  Fixture f{std::move(*o), {}};
  f.linked.section_addresses.assign(f.object.sections.size(), 0);
  uint64_t data = 0x7f1200040000;
  for (size_t k = 0; k < f.object.sections.size(); ++k) {
    const auto& s = f.object.sections[k];
    if (s.name == ".text") f.linked.section_addresses[k] = 0x7f1200001000;
    else if (s.is_alloc() && s.name != ".eh_frame") { f.linked.section_addresses[k] = data; data += 0x1000; }
  }
  f.linked.code = {0x7f1200001000, 0x7f1200001000 + f.object.sections[*f.object.find_section(".text")].size()};
  for (const auto& s : f.object.symbols)
    if (s.kind == obj::SymbolKind::Func && s.section)
      f.linked.add_function(s.name, f.linked.section_addresses[*s.section] + s.value, s.size);
  return f;
}

}  // namespace

TEST(DebugImage, SymbolsLinesAndUnwindAtRunAddresses) {
  Fixture f = linked_unit();
  ASSERT_EQ(f.linked.functions.size(), 2u);
  auto image = debug::build_debug_image(f.object, f.linked, "/work/dir");
  ASSERT_TRUE(image.ok()) << image.error().message;
  test_support::TempDir dir;
  const std::string path = dir.path + "/TOP7.o";
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(image->data()),
                                              static_cast<std::streamsize>(image->size()));

  // Section addresses are the run addresses.
  const std::string sections = run("readelf -SW " + path);
  EXPECT_NE(sections.find(".text             NOBITS          00007f1200001000"), std::string::npos) << sections;

  // Functions at their run addresses (section address + offset).
  const std::string syms = run("nm " + path);
  const uint64_t f_at = f.linked.functions[0].address, g_at = f.linked.functions[1].address;
  char want[128];
  std::snprintf(want, sizeof want, "%016llx T camlTOP7__f_10", static_cast<unsigned long long>(f_at));
  EXPECT_NE(syms.find(want), std::string::npos) << syms;

  // Lines: (line, address) as objdump decodes the DWARF program.
  const std::string lines = run("objdump --dwarf=decodedline " + path);
  std::vector<std::pair<uint32_t, uint64_t>> got;
  std::istringstream in(lines);
  std::string l;
  while (std::getline(in, l)) {
    std::istringstream row(l);
    std::string file, line, addr;
    row >> file >> line >> addr;
    if (file == "phrase.ml" && !line.empty() && std::isdigit(static_cast<unsigned char>(line[0])))
      got.emplace_back(static_cast<uint32_t>(std::stoul(line)), std::stoull(addr, nullptr, 0));
  }
  const auto rows = debug::line_rows(f.object, f.linked);
  ASSERT_EQ(rows.size(), 4u);
  ASSERT_EQ(got.size(), rows.size()) << lines;
  for (size_t k = 0; k < rows.size(); ++k) {
    EXPECT_EQ(got[k].first, rows[k].line);
    EXPECT_EQ(got[k].second, rows[k].address);
  }
  EXPECT_EQ(rows.front().address, f_at);
  EXPECT_EQ(rows.back().address, g_at);

  // Unwind table: one FDE per function over its run addresses, with the CFA steps.
  const std::string frames = run("readelf --debug-dump=frames " + path);
  for (const auto& fn : f.linked.functions) {
    char range[80];
    std::snprintf(range, sizeof range, "pc=%016llx..%016llx", static_cast<unsigned long long>(fn.address),
                  static_cast<unsigned long long>(fn.address + fn.size));
    EXPECT_NE(frames.find(range), std::string::npos) << range << "\n" << frames;
  }
  EXPECT_NE(frames.find("DW_CFA_def_cfa_offset: 16"), std::string::npos) << frames;

  // The compile unit names the functions with their ranges.
  const std::string info = run("readelf --debug-dump=info " + path);
  EXPECT_NE(info.find("camlTOP7__g_11"), std::string::npos) << info;
  EXPECT_NE(info.find("DW_TAG_subprogram"), std::string::npos) << info;
  EXPECT_NE(info.find("/work/dir"), std::string::npos) << info;  // DW_AT_comp_dir
}

TEST(DebugImage, MismatchedLinkIsAnError) {
  Fixture f = linked_unit();
  f.linked.section_addresses.pop_back();
  auto image = debug::build_debug_image(f.object, f.linked, "/");
  ASSERT_FALSE(image.ok());
  EXPECT_NE(image.error().message.find("TOP7"), std::string::npos) << image.error().message;
}

// The buffer is reused from unit to unit: an image written after a larger
// one is byte-identical to one written into a fresh buffer, and binutils
// read it without complaint (locals before globals, sh_info right).
TEST(DebugImage, ReusedBufferGivesTheSameImage) {
  Fixture f = linked_unit();
  std::vector<uint8_t> storage;
  const std::string long_dir(3000, 'd');  // a first, larger image
  auto big = debug::write_debug_image(f.object, f.linked, "/" + long_dir, storage);
  ASSERT_TRUE(big.ok()) << big.error().message;
  auto small = debug::write_debug_image(f.object, f.linked, "/work/dir", storage);
  ASSERT_TRUE(small.ok()) << small.error().message;
  ASSERT_LT(small->size, big->size);
  auto fresh = debug::build_debug_image(f.object, f.linked, "/work/dir");
  ASSERT_TRUE(fresh.ok());
  EXPECT_EQ(std::vector<uint8_t>(small->data, small->data + small->size), *fresh);

  test_support::TempDir dir;
  const std::string path = dir.path + "/TOP7.o";
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(fresh->data()),
                                              static_cast<std::streamsize>(fresh->size()));
  const std::string all = run("readelf -aW --debug-dump=info,line,frames " + path + " 2>&1");
  EXPECT_EQ(all.find("Warning"), std::string::npos) << all;
  EXPECT_EQ(all.find("Error"), std::string::npos) << all;
  // .symtab: every LOCAL before the first GLOBAL.
  const std::string syms = run("readelf -sW " + path);
  const size_t first_global = syms.find(" GLOBAL ");
  ASSERT_NE(first_global, std::string::npos) << syms;
  EXPECT_EQ(syms.find(" LOCAL ", first_global), std::string::npos) << syms;
}

// A library's image is written in place, in a room of its estimated size:
// the same bytes as in a buffer; a room too small leaves it for the buffer,
// with what was written copied.
TEST(DebugImage, ImageWrittenInARoomIsTheSameImage) {
  Fixture f = linked_unit();
  auto fresh = debug::build_debug_image(f.object, f.linked, "/work/dir");
  ASSERT_TRUE(fresh.ok()) << fresh.error().message;
  const size_t bound = debug::debug_image_bound(f.object, f.linked, "/work/dir");
  EXPECT_GE(bound, fresh->size());
  std::vector<uint8_t> room(bound, 0xee), storage;
  auto in_room = debug::write_debug_image(f.object, f.linked, "/work/dir", storage, room.data(), room.size());
  ASSERT_TRUE(in_room.ok()) << in_room.error().message;
  EXPECT_EQ(in_room->data, room.data());
  EXPECT_EQ(std::vector<uint8_t>(in_room->data, in_room->data + in_room->size), *fresh);
  for (size_t small : {size_t{0}, size_t{64}, fresh->size() / 2, fresh->size() - 1}) {
    std::vector<uint8_t> tight(small + 1, 0xee), spill;
    auto moved = debug::write_debug_image(f.object, f.linked, "/work/dir", spill, tight.data(), small);
    ASSERT_TRUE(moved.ok()) << moved.error().message;
    EXPECT_EQ(moved->data, spill.data()) << small;
    EXPECT_EQ(std::vector<uint8_t>(moved->data, moved->data + moved->size), *fresh) << small;
    EXPECT_EQ(tight[small], 0xee) << "wrote past the room of " << small;
  }
}
