// The IR decoder and GAS printer against their oracles:
//  - IR dumped by ocamljit-opt from real units (the stdlib and the testsuite,
//    compiled by `make asmdiff`) printed back must be byte for byte the `.s`
//    that `ocamlopt -S` wrote for the same unit;
//  - every file of the fuzzing corpus and crashers (tests/fuzz/ir) decodes to a
//    program or to a one-line error, never a crash (this binary also runs
//    under ASan+UBSan);
//  - malformed input (truncation anywhere, bad header, bad tags, absurd counts,
//    deep nesting) is an error naming the byte offset.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "ir/decode.hpp"
#include "ir/gas_printer.hpp"

namespace fs = std::filesystem;
using namespace ocamljit;

namespace {

std::vector<uint8_t> read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

fs::path fuzz_dir() { return fs::path(OCAMLJIT_SOURCE_DIR) / "tests" / "fuzz" / "ir"; }

fs::path corpus_dir() {
  if (const char* d = std::getenv("OCAMLJIT_IR_CORPUS")) return d;
  return fs::path(OCAMLJIT_BINARY_DIR) / ".." / "asmdiff";
}

// The program views `b`: keep it alive as long as the program.
Result<ir::Program> decode(const std::vector<uint8_t>& b) {
  return ir::decode(b.data(), b.size());
}

// A real IR from the checked-in seed corpus (dumped from tests/fuzz/ir-seeds).
std::vector<uint8_t> seed() { return read_file(fuzz_dir() / "floats.ir"); }

// The header: magic, version, then the line count as a varint.
size_t header_size(const std::vector<uint8_t>& b) {
  size_t i = 5;
  while (b.at(i) & 0x80) ++i;
  return i + 1;
}

void expect_clean_error(const Result<ir::Program>& r, const std::string& must_contain) {
  ASSERT_FALSE(r.ok());
  const std::string& m = r.error().message;
  EXPECT_EQ(m.rfind("IR: ", 0), 0u) << m;
  EXPECT_EQ(m.find('\n'), std::string::npos) << m;
  EXPECT_NE(m.find(must_contain), std::string::npos) << m;
}

}  // namespace

TEST(IrFuzzCorpus, EveryFileDecodesOrFailsCleanly) {
  size_t files = 0, decoded = 0;
  for (const auto& e : fs::recursive_directory_iterator(fuzz_dir())) {
    if (!e.is_regular_file()) continue;
    auto bytes = read_file(e.path());
    auto r = decode(bytes);
    ++files;
    if (r) {
      ++decoded;
      auto text = ir::to_gas(*r);
      if (!text) {
        EXPECT_EQ(text.error().message.find('\n'), std::string::npos);
      }
    } else {
      EXPECT_EQ(r.error().message.rfind("IR: ", 0), 0u) << e.path();
      EXPECT_EQ(r.error().message.find('\n'), std::string::npos) << e.path();
    }
  }
  EXPECT_GE(files, 5u) << "the seed corpus is missing from " << fuzz_dir();
  EXPECT_GE(decoded, 5u);
}

TEST(IrRoundTrip, RealUnitsPrintAsOcamloptS) {
  const fs::path root = corpus_dir();
  ASSERT_TRUE(fs::is_directory(root)) << root << " is missing: run `make asmdiff` first";
  size_t units = 0, lines = 0;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    const fs::path& ir_path = e.path();
    if (!e.is_regular_file() || ir_path.extension() != ".ir") continue;
    if (ir_path.parent_path().filename() != "ir") continue;
    fs::path s_path = ir_path.parent_path().parent_path() / "ref" / ir_path.stem();
    s_path += ".s";
    if (!fs::exists(s_path)) continue;  // e.g. a startup object: no ocamlopt -S of it
    const auto bytes = read_file(ir_path);  // the program views them
    auto r = decode(bytes);
    ASSERT_TRUE(r.ok()) << ir_path << ": " << r.error().message;
    auto text = ir::to_gas(*r);
    ASSERT_TRUE(text.ok()) << ir_path << ": " << text.error().message;
    std::string expected = read_text(s_path);
    if (*text != expected) {
      std::istringstream a(*text), b(expected);
      std::string la, lb;
      size_t n = 1;
      while (std::getline(a, la) && std::getline(b, lb) && la == lb) ++n;
      ADD_FAILURE() << ir_path << " differs from " << s_path << " at line " << n
                    << ":\n  printed: " << la << "\n  ocamlopt: " << lb;
    }
    ++units;
    lines += r->lines.size();
  }
  // The stdlib alone has 63 units, plus the constructors program.
  EXPECT_GE(units, 64u) << "too few IR dumps under " << root;
  std::printf("round trip: %zu units, %zu lines\n", units, lines);
}

// tests/ir/ir_constructors.ml writes a program with every X86_ast constructor
// (its GAS text, printed by X86_gas, is checked by RealUnitsPrintAsOcamloptS).
TEST(IrAllConstructors, EveryOpcodeAndLineKindIsCovered) {
  const fs::path dir = corpus_dir() / "constructors" / "ir";
  const auto all_bytes = read_file(dir / "all.ir");
  auto all = decode(all_bytes);
  ASSERT_TRUE(all.ok()) << all.error().message;
  std::vector<bool> ops(static_cast<size_t>(ir::Op::XORPD) + 1), kinds(32);
  for (const auto& l : all->lines) {
    kinds.at(static_cast<size_t>(l.kind)) = true;
    if (l.kind == ir::Line::Kind::Ins) ops.at(static_cast<size_t>(all->instr(l)->op)) = true;
  }
  for (size_t i = 0; i < ops.size(); ++i) EXPECT_TRUE(ops[i]) << "opcode " << i << " missing";
  using K = ir::Line::Kind;
  for (K k : {K::Ins, K::Align, K::Byte, K::Long, K::Quad, K::Word, K::Bytes, K::Comment, K::Global,
              K::NewLabel, K::Section, K::Space, K::CfiAdjustCfaOffset, K::CfiEndproc,
              K::CfiStartproc, K::File, K::IndirectSymbol, K::Loc, K::PrivateExtern, K::Set,
              K::Size, K::Type})
    EXPECT_TRUE(kinds.at(static_cast<size_t>(k))) << "line kind " << static_cast<int>(k) << " missing";

  // The MASM-only lines decode, and the GAS printer refuses them cleanly.
  const auto masm_bytes = read_file(dir / "masm.ir");
  auto masm = decode(masm_bytes);
  ASSERT_TRUE(masm.ok()) << masm.error().message;
  ASSERT_EQ(masm->lines.size(), 4u);
  EXPECT_EQ(masm->lines[0].kind, K::External);
  EXPECT_EQ(masm->lines[0].text, "ext");
  EXPECT_EQ(masm->lines[0].dtype, ir::DataType::Near);
  EXPECT_EQ(masm->lines[1].kind, K::Mode386);
  EXPECT_EQ(masm->lines[2].kind, K::Model);
  EXPECT_EQ(masm->lines[2].text, "flat");
  EXPECT_EQ(masm->lines[3].dtype, ir::DataType::Qword);
  auto text = ir::to_gas(*masm);
  ASSERT_FALSE(text.ok());
  EXPECT_NE(text.error().message.find("MASM"), std::string::npos);
}

TEST(IrStrict, EveryTruncationIsAnError) {
  auto b = seed();
  ASSERT_GT(b.size(), 100u);
  ASSERT_TRUE(decode(b).ok());
  for (size_t n = 0; n < b.size(); ++n) {
    auto r = ir::decode(b.data(), n);
    ASSERT_FALSE(r.ok()) << "prefix of " << n << " bytes decoded";
    ASSERT_NE(r.error().message.find("byte offset"), std::string::npos) << r.error().message;
  }
}

TEST(IrStrict, BadHeader) {
  auto b = seed();
  auto m = b;
  m[0] = 'X';
  expect_clean_error(decode(m), "magic");
  auto v = b;
  v[4] = static_cast<uint8_t>(ir::kVersion + 1);
  expect_clean_error(decode(v), "version");
  expect_clean_error(ir::decode(nullptr, 0), "magic");
}

TEST(IrStrict, TrailingBytes) {
  auto b = seed();
  b.push_back(0x46);
  expect_clean_error(decode(b), "trailing");
}

TEST(IrStrict, BadTagNamesLineAndOffset) {
  auto b = seed();
  size_t h = header_size(b);
  b[h] = 0x5F;  // after the last opcode (XORPD = 87), before the directives
  expect_clean_error(decode(b), "line 0 (byte offset " + std::to_string(h) + ")");
  b[h] = 0xFF;  // after the last directive
  expect_clean_error(decode(b), "bad directive tag");
}

TEST(IrStrict, AbsurdCountIsRejectedBeforeAllocating) {
  // magic, version, line count 2^62.
  std::vector<uint8_t> b = {'O', 'J', 'I', 'R', ir::kVersion,
                            0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x40};
  expect_clean_error(decode(b), "exceeds the remaining input");
  // A varint of 11 bytes.
  std::vector<uint8_t> c = {'O', 'J', 'I', 'R', ir::kVersion};
  c.insert(c.end(), 10, 0xFF);
  c.push_back(0x01);
  expect_clean_error(decode(c), "varint");
}

TEST(IrStrict, OversizedInputIsRejectedUnread) {
  auto b = seed();
  // The size is checked before any byte is read.
  auto r = ir::decode(b.data(), (size_t{256} << 20) + 1);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("larger than the limit"), std::string::npos);
}

TEST(IrStrict, DeepConstantNestingIsAnError) {
  // One `.quad` line whose constant is (((... + ...) + ...)...) 1000 deep.
  std::vector<uint8_t> b = {'O', 'J', 'I', 'R', ir::kVersion, 1, 0x87};
  b.insert(b.end(), 1000, 3);
  expect_clean_error(decode(b), "nested too deeply");
}

TEST(IrStrict, NameReferencesCopyNothing) {
  // A 64 KiB name defined once, then referenced by 64K one-byte references
  // (4 GiB if copied): every reference is a view of the one definition in
  // the input, so this decodes in memory proportional to the input.
  const size_t len = 1 << 16, refs = 1 << 16;
  std::vector<uint8_t> b = {'O', 'J', 'I', 'R', ir::kVersion};
  auto varint = [&](uint64_t v) {
    do {
      uint8_t x = v & 0x7F;
      v >>= 7;
      b.push_back(x | (v ? 0x80 : 0));
    } while (v);
  };
  varint(refs + 1);
  b.push_back(0x84);  // .globl, defining the name
  varint(0);
  varint(len);
  b.insert(b.end(), len, 'a');
  for (size_t i = 0; i < refs; ++i) {
    b.push_back(0x84);
    b.push_back(1);
  }
  auto r = decode(b);
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->lines.size(), refs + 1);
  const char* defined = r->lines[0].text.data();
  EXPECT_GE(defined, reinterpret_cast<const char*>(b.data()));
  EXPECT_LT(defined, reinterpret_cast<const char*>(b.data() + b.size()));
  for (const auto& l : r->lines) {
    ASSERT_EQ(l.text.size(), len);
    ASSERT_EQ(l.text.data(), defined);
  }
}

TEST(IrStrict, DecodingIntoAProgramReusesIt) {
  // The engine decodes unit after unit into one Program: a second decode
  // replaces the first completely, and an error leaves no stale lines that
  // could pass for a program.
  auto b = seed();
  ir::Program p;
  ASSERT_TRUE(ir::decode(b.data(), b.size(), p).ok());
  const size_t lines = p.lines.size();
  auto first = ir::to_gas(p);
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(ir::decode(b.data(), b.size(), p).ok());
  EXPECT_EQ(p.lines.size(), lines);
  auto second = ir::to_gas(p);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(*first, *second);
  std::vector<uint8_t> bad = {'O', 'J', 'I', 'R', ir::kVersion, 2, 0x8F};
  auto e = ir::decode(bad.data(), bad.size(), p);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().message.rfind("IR: ", 0), 0u);
  EXPECT_TRUE(p.lines.empty());
}

TEST(IrStrict, EveryBadByteValueAtEveryPositionIsHandled) {
  // Sweep a few byte values over the first 600 bytes of a real IR: each
  // result is a program or a clean error (the ASan build checks memory).
  auto b = seed();
  for (size_t i = 0; i < std::min<size_t>(b.size(), 600); ++i) {
    for (uint8_t v : {0x00, 0x0F, 0x7F, 0x80, 0xAF, 0xFF}) {
      auto m = b;
      m[i] = v;
      auto r = decode(m);
      if (r) (void)ir::to_gas(*r);
      else ASSERT_EQ(r.error().message.rfind("IR: ", 0), 0u);
    }
  }
}
