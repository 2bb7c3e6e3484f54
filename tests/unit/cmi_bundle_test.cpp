// The interface bundle: packing, lookup, validation of damaged blobs, and the
// ELF object that carries it (read back by the project's ELF reader).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "cmi_bundle/bundle.hpp"
#include "object/elf/reader.hpp"

namespace cb = ocamljit::cmi_bundle;

namespace {

std::vector<uint8_t> bytes(const std::string& s) { return {s.begin(), s.end()}; }

std::vector<uint8_t> sample() {
  auto blob = cb::pack({{"stdlib__List.cmi", bytes("list interface")},
                        {"stdlib.cmi", bytes("stdlib")},
                        {"empty.cmi", {}},
                        {"z.cmi", bytes("zarith's Z")}});
  EXPECT_TRUE(blob.ok());
  return blob.value();
}

}  // namespace

TEST(CmiBundle, FindsEveryFileByName) {
  auto blob = sample();
  auto bundle = cb::Bundle::open(blob);
  ASSERT_TRUE(bundle.ok()) << bundle.error().message;
  EXPECT_EQ(bundle->count(), 4u);
  auto list = bundle->find("stdlib__List.cmi");
  ASSERT_TRUE(list.has_value());
  EXPECT_EQ(std::string(list->begin(), list->end()), "list interface");
  auto z = bundle->find("z.cmi");
  ASSERT_TRUE(z.has_value());
  EXPECT_EQ(std::string(z->begin(), z->end()), "zarith's Z");
  auto empty = bundle->find("empty.cmi");
  ASSERT_TRUE(empty.has_value());
  EXPECT_TRUE(empty->empty());
  EXPECT_FALSE(bundle->find("stdlib__list.cmi").has_value());  // names are exact
  EXPECT_FALSE(bundle->find("a.cmi").has_value());
  EXPECT_FALSE(bundle->find("zz.cmi").has_value());
  EXPECT_EQ(bundle->names(), (std::vector<std::string>{"empty.cmi", "stdlib.cmi", "stdlib__List.cmi", "z.cmi"}));
}

TEST(CmiBundle, DuplicateNamesAreAnError) {
  auto blob = cb::pack({{"a.cmi", bytes("1")}, {"a.cmi", bytes("2")}});
  ASSERT_FALSE(blob.ok());
  EXPECT_NE(blob.error().message.find("a.cmi"), std::string::npos);
}

TEST(CmiBundle, DamagedBlobsAreErrorsNotCrashes) {
  auto good = sample();
  EXPECT_FALSE(cb::Bundle::open(std::span<const uint8_t>(good.data(), 10)).ok());
  auto bad_magic = good;
  bad_magic[0] = 'X';
  EXPECT_FALSE(cb::Bundle::open(bad_magic).ok());
  auto truncated = good;
  truncated.resize(good.size() / 2);
  EXPECT_FALSE(cb::Bundle::open(truncated).ok());
  auto bad_count = good;
  bad_count[16] = 0xff;
  bad_count[17] = 0xff;
  EXPECT_FALSE(cb::Bundle::open(bad_count).ok());
  auto bad_offset = good;
  bad_offset[24 + 8 + 7] = 0x7f;  // first entry's data offset, top byte
  EXPECT_FALSE(cb::Bundle::open(bad_offset).ok());
  // Every single-byte corruption of the header and table opens or fails cleanly.
  for (size_t i = 0; i < 24 + 24 * 4; ++i) {
    auto damaged = good;
    damaged[i] ^= 0xa5;
    auto b = cb::Bundle::open(damaged);
    if (b.ok()) (void)b->find("stdlib.cmi");
  }
}

TEST(CmiBundle, ObjectDefinesTheSymbolOverTheBlob) {
  auto blob = sample();
  auto elf = cb::to_object(blob);
  ASSERT_TRUE(elf.ok()) << elf.error().message;
  auto object = ocamljit::elf::read_relocatable(*elf, "bundle.o");
  ASSERT_TRUE(object.ok()) << object.error().message;
  auto sym = object->find_symbol(cb::kSymbol);
  ASSERT_TRUE(sym.has_value());
  const auto& s = object->symbols[*sym];
  EXPECT_EQ(s.binding, ocamljit::obj::Binding::Global);
  ASSERT_TRUE(s.section.has_value());
  const auto& section = object->sections[*s.section];
  EXPECT_FALSE(section.is_writable());
  EXPECT_FALSE(section.is_code());
  EXPECT_EQ(section.bytes, blob);
}

TEST(CmiBundle, NoBundleLinkedIntoTheUnitTests) {
  EXPECT_FALSE(cb::embedded().has_value());
}
