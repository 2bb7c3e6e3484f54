#include "object/elf/archive.hpp"

#include <cstring>
#include <fstream>
#include <iterator>

#include "object/elf/reader.hpp"

namespace ocamljit::elf {
namespace {

constexpr char kMagic[] = "!<arch>\n";
constexpr size_t kHeaderSize = 60;

std::string trim(std::string s) {
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

uint64_t big_endian(const uint8_t* p, size_t width) {
  uint64_t v = 0;
  for (size_t i = 0; i < width; ++i) v = (v << 8) | p[i];
  return v;
}

}  // namespace

Result<ArchiveListing> list_archive(std::span<const uint8_t> bytes, const std::string& name,
                                    bool want_index) {
  auto fail = [&](const auto&... parts) { return make_error(name, ": malformed archive: ", parts...); };
  if (bytes.size() < 8 || std::memcmp(bytes.data(), kMagic, 8) != 0) return fail("bad magic");
  ArchiveListing listing;
  std::string long_names;  // GNU "//" member
  // The symbol index, read once the members' offsets are known.
  std::span<const uint8_t> symbols;
  size_t symbol_width = 0;  // 4 ("/") or 8 ("/SYM64/")
  std::unordered_map<uint64_t, size_t> member_at;  // header offset -> member number
  size_t at = 8;
  while (at < bytes.size()) {
    if (bytes.size() - at < kHeaderSize) return fail("truncated member header at ", at);
    const char* h = reinterpret_cast<const char*>(bytes.data() + at);
    if (h[58] != '`' || h[59] != '\n') return fail("bad member header at ", at);
    std::string member(h, 16);
    const std::string size_text = trim(std::string(h + 48, 10));
    uint64_t size = 0;
    for (char c : size_text) {
      if (c < '0' || c > '9' || size > (uint64_t{1} << 40)) return fail("bad member size at ", at);
      size = size * 10 + static_cast<uint64_t>(c - '0');
    }
    const size_t data = at + kHeaderSize;
    if (size > bytes.size() - data) return fail("member at ", at, " runs past the end");
    const auto contents = bytes.subspan(data, size);
    member = trim(member);
    if (member == "/" || member == "/SYM64/") {
      if (symbol_width == 0 && want_index) {
        symbols = contents;
        symbol_width = member == "/" ? 4 : 8;
      }
    } else if (member == "//") {
      long_names.assign(reinterpret_cast<const char*>(contents.data()), contents.size());
    } else {
      if (member.size() > 1 && member[0] == '/') {  // "/123": offset into the long names
        size_t off = 0;
        for (size_t i = 1; i < member.size(); ++i) {
          if (member[i] < '0' || member[i] > '9') return fail("bad long name reference ", member);
          off = off * 10 + static_cast<size_t>(member[i] - '0');
          if (off > long_names.size()) return fail("bad long name reference ", member);
        }
        const size_t end = long_names.find('\n', off);
        member = long_names.substr(off, end == std::string::npos ? std::string::npos : end - off);
      }
      if (!member.empty() && member.back() == '/') member.pop_back();
      if (want_index) member_at.emplace(at, listing.members.size());
      listing.members.push_back(ArchiveMember{std::move(member), contents});
    }
    at = data + size + (size & 1);  // members are 2-byte aligned
  }
  if (symbol_width != 0) {
    // count, `count` member header offsets, then `count` NUL-terminated names.
    const size_t w = symbol_width;
    if (symbols.size() < w) return fail("truncated symbol index");
    const uint64_t count = big_endian(symbols.data(), w);
    if (count > (symbols.size() - w) / w) return fail("symbol index count ", count, " runs past its member");
    const char* names = reinterpret_cast<const char*>(symbols.data() + w + count * w);
    const char* names_end = reinterpret_cast<const char*>(symbols.data() + symbols.size());
    listing.index.reserve(static_cast<size_t>(count));
    for (uint64_t i = 0; i < count; ++i) {
      const void* nul = std::memchr(names, 0, static_cast<size_t>(names_end - names));
      if (nul == nullptr) return fail("symbol index names run past its member");
      const std::string_view symbol(names, static_cast<size_t>(static_cast<const char*>(nul) - names));
      names = static_cast<const char*>(nul) + 1;
      const uint64_t offset = big_endian(symbols.data() + w + i * w, w);
      auto m = member_at.find(offset);
      if (m == member_at.end()) return fail("symbol index entry ", symbol, " points to no member (offset ", offset, ")");
      listing.index.emplace(symbol, m->second);  // the first member wins, as with ld
    }
    listing.has_index = true;
  }
  return listing;
}

Result<std::vector<obj::Object>> read_archive(std::span<const uint8_t> bytes, const std::string& name,
                                              const ReadOptions& options) {
  auto listing = list_archive(bytes, name, /*want_index=*/false);  // every member is read
  if (!listing) return listing.error();
  std::vector<obj::Object> members;
  members.reserve(listing->members.size());
  for (const auto& m : listing->members) {
    auto object = read_relocatable(m.bytes, name + "(" + m.name + ")", options);
    if (!object) return object.error();
    members.push_back(std::move(*object));
  }
  return members;
}

Result<std::vector<obj::Object>> read_archive_file(const std::string& path) {
  auto bytes = read_whole_file(path);
  if (!bytes) return bytes.error();
  return read_archive(*bytes, path);
}

}  // namespace ocamljit::elf
