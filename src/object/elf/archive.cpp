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

}  // namespace

Result<std::vector<obj::Object>> read_archive(std::span<const uint8_t> bytes, const std::string& name,
                                              const ReadOptions& options) {
  auto fail = [&](const auto&... parts) { return make_error(name, ": malformed archive: ", parts...); };
  if (bytes.size() < 8 || std::memcmp(bytes.data(), kMagic, 8) != 0) return fail("bad magic");
  std::vector<obj::Object> members;
  std::string long_names;  // GNU "//" member
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
      // symbol index
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
      auto object = read_relocatable(contents, name + "(" + member + ")", options);
      if (!object) return object.error();
      members.push_back(std::move(*object));
    }
    at = data + size + (size & 1);  // members are 2-byte aligned
  }
  return members;
}

Result<std::vector<obj::Object>> read_archive_file(const std::string& path) {
  auto bytes = read_whole_file(path);
  if (!bytes) return bytes.error();
  return read_archive(*bytes, path);
}

}  // namespace ocamljit::elf
