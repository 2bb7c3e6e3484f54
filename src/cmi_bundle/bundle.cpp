#include "cmi_bundle/bundle.hpp"

#include <algorithm>
#include <cstring>

#include "object/elf/writer.hpp"
#include "object/object.hpp"

// Defined by the object that to_object() writes, when one is linked in.
extern "C" const uint8_t ocamljit_cmi_bundle[] __attribute__((weak));

namespace ocamljit::cmi_bundle {
namespace {

constexpr char kMagic[8] = {'O', 'C', 'J', 'C', 'M', 'I', 'B', '1'};
constexpr size_t kHeader = 24;
constexpr size_t kEntry = 24;

template <class T>
void put(std::vector<uint8_t>& out, size_t at, T v) {
  for (size_t i = 0; i < sizeof(T); ++i) out[at + i] = static_cast<uint8_t>(v >> (8 * i));
}

template <class T>
T get(std::span<const uint8_t> in, size_t at) {
  T v = 0;
  for (size_t i = 0; i < sizeof(T); ++i) v |= static_cast<T>(in[at + i]) << (8 * i);
  return v;
}

size_t align8(size_t n) { return (n + 7) & ~size_t{7}; }

}  // namespace

Result<std::vector<uint8_t>> pack(std::vector<File> files) {
  std::sort(files.begin(), files.end(), [](const File& a, const File& b) { return a.name < b.name; });
  for (size_t i = 0; i < files.size(); ++i) {
    if (files[i].name.empty()) return make_error("cmi bundle: a file has an empty name");
    if (i > 0 && files[i].name == files[i - 1].name)
      return make_error("cmi bundle: two files named ", files[i].name);
  }
  size_t names_at = kHeader + kEntry * files.size();
  size_t names_size = 0;
  for (const File& f : files) names_size += f.name.size();
  size_t data_at = align8(names_at + names_size);
  size_t total = data_at;
  for (const File& f : files) total = align8(total + f.bytes.size());
  if (names_at + names_size > UINT32_MAX)
    return make_error("cmi bundle: too large");

  std::vector<uint8_t> out(total, 0);
  std::memcpy(out.data(), kMagic, sizeof kMagic);
  put<uint64_t>(out, 8, total);
  put<uint32_t>(out, 16, static_cast<uint32_t>(files.size()));
  size_t name_pos = names_at, data_pos = data_at;
  for (size_t i = 0; i < files.size(); ++i) {
    const File& f = files[i];
    size_t e = kHeader + kEntry * i;
    put<uint32_t>(out, e, static_cast<uint32_t>(name_pos));
    put<uint32_t>(out, e + 4, static_cast<uint32_t>(f.name.size()));
    put<uint64_t>(out, e + 8, data_pos);
    put<uint64_t>(out, e + 16, f.bytes.size());
    std::memcpy(out.data() + name_pos, f.name.data(), f.name.size());
    if (!f.bytes.empty()) std::memcpy(out.data() + data_pos, f.bytes.data(), f.bytes.size());
    name_pos += f.name.size();
    data_pos = align8(data_pos + f.bytes.size());
  }
  return out;
}

Result<Bundle> Bundle::open(std::span<const uint8_t> blob) {
  if (blob.size() < kHeader || std::memcmp(blob.data(), kMagic, sizeof kMagic) != 0)
    return make_error("embedded interfaces: not a cmi bundle (bad magic)");
  uint64_t total = get<uint64_t>(blob, 8);
  if (total < kHeader || total > blob.size())
    return make_error("embedded interfaces: bundle size ", total, " exceeds its ", blob.size(), " bytes");
  blob = blob.first(total);
  uint64_t count = get<uint32_t>(blob, 16);
  if (count > (total - kHeader) / kEntry)
    return make_error("embedded interfaces: ", count, " entries do not fit in ", total, " bytes");
  std::string_view previous;
  for (size_t i = 0; i < count; ++i) {
    size_t e = kHeader + kEntry * i;
    uint64_t name_off = get<uint32_t>(blob, e), name_len = get<uint32_t>(blob, e + 4);
    uint64_t data_off = get<uint64_t>(blob, e + 8), data_len = get<uint64_t>(blob, e + 16);
    if (name_off > total || name_len > total - name_off || data_off > total || data_len > total - data_off)
      return make_error("embedded interfaces: entry ", i, " points outside the bundle");
    std::string_view name(reinterpret_cast<const char*>(blob.data() + name_off), name_len);
    if (name.empty() || (i > 0 && !(previous < name)))
      return make_error("embedded interfaces: entry ", i, " is out of order");
    previous = name;
  }
  return Bundle(blob, count);
}

std::string_view Bundle::name_at(size_t i) const {
  size_t e = kHeader + kEntry * i;
  return {reinterpret_cast<const char*>(blob_.data() + get<uint32_t>(blob_, e)), get<uint32_t>(blob_, e + 4)};
}

std::span<const uint8_t> Bundle::data_at(size_t i) const {
  size_t e = kHeader + kEntry * i;
  return blob_.subspan(get<uint64_t>(blob_, e + 8), get<uint64_t>(blob_, e + 16));
}

std::optional<std::span<const uint8_t>> Bundle::find(std::string_view name) const {
  size_t lo = 0, hi = count_;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    std::string_view n = name_at(mid);
    if (n == name) return data_at(mid);
    if (n < name) lo = mid + 1; else hi = mid;
  }
  return std::nullopt;
}

std::vector<std::string> Bundle::names() const {
  std::vector<std::string> out;
  out.reserve(count_);
  for (size_t i = 0; i < count_; ++i) out.emplace_back(name_at(i));
  return out;
}

Result<std::vector<uint8_t>> to_object(std::span<const uint8_t> blob) {
  obj::Object o;
  o.name = "cmi bundle";
  obj::SectionIndex s = o.ensure_section(".rodata.ocamljit_cmi_bundle", obj::elf::SHT_PROGBITS,
                                         obj::elf::SHF_ALLOC, 16);
  o.sections[s].bytes.assign(blob.begin(), blob.end());
  obj::SymbolIndex sym = o.ensure_symbol(kSymbol);
  o.symbols[sym].section = s;
  o.symbols[sym].value = 0;
  o.symbols[sym].size = blob.size();
  o.symbols[sym].binding = obj::Binding::Global;
  o.symbols[sym].kind = obj::SymbolKind::Object;
  // Without this note, GNU ld would make the whole executable's stack executable.
  o.ensure_section(".note.GNU-stack", obj::elf::SHT_PROGBITS, 0, 1);
  return elf::write_relocatable(o);
}

std::optional<Result<Bundle>> embedded() {
  const uint8_t* start = ocamljit_cmi_bundle;
  if (start == nullptr) return std::nullopt;
  // The header carries the size; read it before trusting more than 24 bytes.
  std::span<const uint8_t> header(start, kHeader);
  if (std::memcmp(start, kMagic, sizeof kMagic) != 0) return Bundle::open(header);
  return Bundle::open(std::span<const uint8_t>(start, get<uint64_t>(header, 8)));
}

}  // namespace ocamljit::cmi_bundle
