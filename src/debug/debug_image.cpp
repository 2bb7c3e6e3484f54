// The in-memory ELF object gdb reads for one JIT unit (see debug.hpp).
// Every unit gets the same small layout, so it is written directly, in one
// pass, into a buffer reused from unit to unit (no intermediate Object, no
// string table hashing, no allocation once the buffers have grown):
//   ELF header, .eh_frame (relocations applied), .debug_abbrev (a constant),
//   .debug_info (a compile unit, one DW_TAG_subprogram per function),
//   .debug_line, .symtab, .strtab, .shstrtab, section headers.
// The unit's loaded sections are SHT_NOBITS headers at their run addresses
// (gdb reads the code from the process).
#include <algorithm>
#include <cstring>
#include <string_view>
#include <utility>
#include <vector>

#include "debug/debug.hpp"

// After the project's headers: <elf.h> defines its constants as macros.
#include <elf.h>

namespace ocamljit::debug {
namespace {

// DWARF constants (DWARF 4, section 7).
constexpr uint8_t DW_TAG_compile_unit = 0x11, DW_TAG_subprogram = 0x2e;
constexpr uint8_t DW_AT_name = 0x03, DW_AT_stmt_list = 0x10, DW_AT_low_pc = 0x11, DW_AT_high_pc = 0x12,
                  DW_AT_comp_dir = 0x1b, DW_AT_producer = 0x25, DW_AT_external = 0x3f;
constexpr uint8_t DW_FORM_addr = 0x01, DW_FORM_data8 = 0x07, DW_FORM_string = 0x08,
                  DW_FORM_sec_offset = 0x17, DW_FORM_flag_present = 0x19;
constexpr uint8_t DW_LNS_copy = 1, DW_LNS_advance_pc = 2, DW_LNS_advance_line = 3, DW_LNS_set_file = 4,
                  DW_LNS_set_column = 5;
constexpr uint8_t DW_LNE_end_sequence = 1, DW_LNE_set_address = 2;

// .debug_abbrev, the same for every unit (all codes and forms fit one byte):
// 1 = the compile unit, 2 = a function.
constexpr uint8_t kAbbrev[] = {
    1, DW_TAG_compile_unit, 1 /* has children */,
    DW_AT_producer, DW_FORM_string, DW_AT_name, DW_FORM_string, DW_AT_comp_dir, DW_FORM_string,
    DW_AT_stmt_list, DW_FORM_sec_offset, DW_AT_low_pc, DW_FORM_addr, DW_AT_high_pc, DW_FORM_data8, 0, 0,
    2, DW_TAG_subprogram, 0 /* no children */,
    DW_AT_name, DW_FORM_string, DW_AT_external, DW_FORM_flag_present, DW_AT_low_pc, DW_FORM_addr,
    DW_AT_high_pc, DW_FORM_data8, 0, 0,
    0};

// The fixed part of the .debug_line header after header_length.
constexpr uint8_t kLineHeader[] = {
    1,                              // minimum_instruction_length
    1,                              // maximum_operations_per_instruction
    1,                              // default_is_stmt
    static_cast<uint8_t>(-5),       // line_base
    14,                             // line_range
    13,                             // opcode_base
    0, 1, 1, 1, 1, 0, 0, 0, 1, 0, 0, 1,  // standard_opcode_lengths
    0};                             // no include directories

// A growable byte buffer whose memory outlives the image it holds; the
// host is little-endian (x86-64), as the image is. It writes into `storage`,
// or first into a fixed room, left for `storage` (what was written copied)
// if the room turns out too small.
class Out {
 public:
  explicit Out(std::vector<uint8_t>& storage) : s_(storage), data_(storage.data()), capacity_(storage.size()) {}
  Out(std::vector<uint8_t>& storage, uint8_t* room, size_t capacity)
      : s_(storage), data_(room), capacity_(capacity), in_room_(true) {}
  size_t size() const { return n_; }
  const uint8_t* data() const { return data_; }
  uint8_t* at(size_t offset) { return data_ + offset; }
  uint8_t* grow(size_t k) {
    if (n_ + k > capacity_) [[unlikely]] expand(k);
    uint8_t* p = data_ + n_;
    n_ += k;
    return p;
  }
  void bytes(const void* p, size_t k) {
    if (k != 0) std::memcpy(grow(k), p, k);
  }
  template <class T>
  void put(T v) { std::memcpy(grow(sizeof v), &v, sizeof v); }
  void u8(uint8_t v) { *grow(1) = v; }
  void str(std::string_view s) {
    uint8_t* p = grow(s.size() + 1);
    std::memcpy(p, s.data(), s.size());
    p[s.size()] = 0;
  }
  void uleb(uint64_t v) {
    do {
      uint8_t byte = v & 0x7f;
      v >>= 7;
      u8(byte | (v ? 0x80 : 0));
    } while (v);
  }
  void sleb(int64_t v) {
    bool more = true;
    while (more) {
      uint8_t byte = v & 0x7f;
      v >>= 7;  // arithmetic shift
      more = !((v == 0 && !(byte & 0x40)) || (v == -1 && (byte & 0x40)));
      u8(byte | (more ? 0x80 : 0));
    }
  }
  void align(size_t a) {
    const size_t pad = (a - n_ % a) % a;
    if (pad != 0) std::memset(grow(pad), 0, pad);
  }
  void patch32(size_t offset, uint64_t v) {
    const uint32_t v32 = static_cast<uint32_t>(v);
    std::memcpy(at(offset), &v32, 4);
  }

 private:
  // Only while the buffers grow to the largest unit's size.
  [[gnu::noinline]] void expand(size_t k) {
    const uint8_t* written = data_;
    s_.resize(std::max(2 * s_.size(), n_ + k + 1024));
    if (in_room_ && n_ != 0) std::memcpy(s_.data(), written, n_);
    in_room_ = false;
    data_ = s_.data();
    capacity_ = s_.size();
  }

  std::vector<uint8_t>& s_;
  uint8_t* data_;
  size_t capacity_;
  bool in_room_ = false;
  size_t n_ = 0;
};

// Scratch buffers larger than this are freed after use.
constexpr size_t kKeepBytes = size_t{64} << 10;

// Buffers reused from unit to unit (units are loaded under the OCaml
// runtime lock: one at a time).
struct Scratch {
  std::vector<uint8_t> strtab, shstrtab;
  std::vector<Elf64_Shdr> headers;
  std::vector<uint32_t> remap;  // object section -> image section, 0 = not in the image
  std::vector<LineRow> rows;
  std::vector<std::pair<std::string_view, uint32_t>> section_names;  // distinct names -> .shstrtab offset
};
Scratch& scratch() {
  static Scratch s;
  return s;
}

// A string table: names are appended as they come (a unit's names are
// nearly all distinct; sharing them is not worth a hash).
class StrTab {
 public:
  explicit StrTab(std::vector<uint8_t>& storage) : out_(storage) { out_.u8(0); }
  uint32_t add(std::string_view s) {
    const uint32_t at = static_cast<uint32_t>(out_.size());
    out_.str(s);
    return at;
  }
  Out& out() { return out_; }

 private:
  Out out_;
};

// Applies the unit's .eh_frame relocations to its copy `bytes` as if the
// section sat at `at` (gdb reads it from the image and resolves pc-relative
// FDE addresses against the section's sh_addr).
Status relocate_eh_frame(const obj::Object& o, obj::SectionIndex eh, const link::LinkedUnit& linked, uint64_t at,
                         uint8_t* bytes, size_t size) {
  for (const auto& r : o.relocations) {
    if (r.section != eh) continue;
    const obj::Symbol& s = o.symbols[r.symbol];
    if (!s.section || *s.section >= linked.section_addresses.size() || linked.section_addresses[*s.section] == 0)
      return make_error(o.name, ": .eh_frame refers to ", s.name, ", which is not loaded");
    const int64_t target = static_cast<int64_t>(linked.section_addresses[*s.section] + s.value) + r.addend;
    const int64_t place = static_cast<int64_t>(at + r.offset);
    if (r.offset + 4 > size) return make_error(o.name, ": .eh_frame relocation beyond the section");
    if (r.type == R_X86_64_PC32) {
      const int64_t v = target - place;
      if (v < INT32_MIN || v > INT32_MAX) return make_error(o.name, ": .eh_frame address out of reach");
      const int32_t v32 = static_cast<int32_t>(v);
      std::memcpy(bytes + r.offset, &v32, 4);
    } else if (r.type == R_X86_64_PC64 && r.offset + 8 <= size) {
      const int64_t v = target - place;
      std::memcpy(bytes + r.offset, &v, 8);
    } else if (r.type == R_X86_64_64 && r.offset + 8 <= size) {
      std::memcpy(bytes + r.offset, &target, 8);
    } else {
      return make_error(o.name, ": unsupported relocation type ", r.type, " in .eh_frame");
    }
  }
  return ok_status();
}

void write_debug_info(Out& out, std::string_view name, std::string_view comp_dir, uint64_t lo, uint64_t hi,
                      const link::LinkedUnit& linked) {
  const size_t start = out.size();
  out.put<uint32_t>(0);  // unit_length, patched
  out.put<uint16_t>(4);  // version
  out.put<uint32_t>(0);  // debug_abbrev_offset
  out.u8(8);             // address_size
  out.u8(1);
  out.str("ocamljit");
  out.str(name);
  out.str(comp_dir);
  out.put<uint32_t>(0);  // stmt_list: the only line program
  out.put<uint64_t>(lo);
  out.put<uint64_t>(hi - lo);
  for (const auto& f : linked.functions) {
    const std::string_view fname = linked.name_of(f);
    uint8_t* p = out.grow(1 + fname.size() + 1 + 16);
    *p++ = 2;
    std::memcpy(p, fname.data(), fname.size());
    p += fname.size();
    *p++ = 0;
    std::memcpy(p, &f.address, 8);
    std::memcpy(p + 8, &f.size, 8);
  }
  out.u8(0);  // end of children
  out.patch32(start, out.size() - start - 4);
}

// A DWARF 4 line program: one sequence over the rows, addresses absolute.
void write_debug_line(Out& out, const std::vector<std::string>& files, const std::vector<LineRow>& rows,
                      uint64_t end) {
  const size_t start = out.size();
  out.put<uint32_t>(0);  // unit_length, patched
  out.put<uint16_t>(4);  // version
  out.put<uint32_t>(0);  // header_length, patched
  const size_t header_start = out.size();
  out.bytes(kLineHeader, sizeof kLineHeader);
  // `.file N` is DWARF file N (1-based); index 0 and holes get a placeholder.
  for (size_t k = 1; k < std::max<size_t>(files.size(), 2); ++k) {
    out.str(k < files.size() && !files[k].empty() ? std::string_view(files[k]) : std::string_view("<unknown>"));
    out.u8(0); out.u8(0); out.u8(0);  // directory, time, length
  }
  out.u8(0);
  out.patch32(header_start - 4, out.size() - header_start);
  if (!rows.empty()) {
    out.u8(0); out.uleb(9); out.u8(DW_LNE_set_address); out.put<uint64_t>(rows.front().address);
    uint64_t address = rows.front().address;
    int64_t line = 1;
    uint32_t file = 1, column = 0;
    for (const auto& r : rows) {
      if (r.address != address) { out.u8(DW_LNS_advance_pc); out.uleb(r.address - address); address = r.address; }
      if (r.file != file && r.file != 0) { out.u8(DW_LNS_set_file); out.uleb(r.file); file = r.file; }
      if (r.line != line) { out.u8(DW_LNS_advance_line); out.sleb(static_cast<int64_t>(r.line) - line); line = r.line; }
      if (r.column != column) { out.u8(DW_LNS_set_column); out.uleb(r.column); column = r.column; }
      out.u8(DW_LNS_copy);
    }
    if (end > address) { out.u8(DW_LNS_advance_pc); out.uleb(end - address); }
    out.u8(0); out.uleb(1); out.u8(DW_LNE_end_sequence);
  }
  out.patch32(start, out.size() - start - 4);
}

uint8_t symbol_info(const obj::Symbol& s) {
  const uint8_t bind = s.binding == obj::Binding::Local ? STB_LOCAL
                       : s.binding == obj::Binding::Weak ? STB_WEAK
                                                         : STB_GLOBAL;
  uint8_t type = STT_NOTYPE;
  switch (s.kind) {
    case obj::SymbolKind::Func: type = STT_FUNC; break;
    case obj::SymbolKind::Object: type = STT_OBJECT; break;
    case obj::SymbolKind::Tls: type = STT_TLS; break;
    default: break;  // sections and files are left out of the image
  }
  return static_cast<uint8_t>((bind << 4) | type);
}

Result<ImageView> write_image(const obj::Object& o, const link::LinkedUnit& linked, std::string_view comp_dir,
                              Out& out);

}  // namespace

void line_rows(const obj::Object& object, const link::LinkedUnit& linked, std::vector<LineRow>& rows) {
  rows.clear();
  rows.reserve(object.lines.size());
  const size_t n = linked.section_addresses.size();
  for (const auto& e : object.lines) {
    if (e.section >= n || linked.section_addresses[e.section] == 0) continue;
    rows.push_back({linked.section_addresses[e.section] + e.offset, e.file, e.line, e.column});
  }
  auto by_address = [](const LineRow& a, const LineRow& b) { return a.address < b.address; };
  if (!std::is_sorted(rows.begin(), rows.end(), by_address))
    std::stable_sort(rows.begin(), rows.end(), by_address);
}

std::vector<LineRow> line_rows(const obj::Object& object, const link::LinkedUnit& linked) {
  std::vector<LineRow> rows;
  line_rows(object, linked, rows);
  return rows;
}

size_t debug_image_bound(const obj::Object& o, const link::LinkedUnit& linked, std::string_view comp_dir) {
  size_t bound = sizeof(Elf64_Ehdr) + sizeof kAbbrev + 16 * sizeof(Elf64_Shdr) + 256 + comp_dir.size() +
                 2 * o.name.size();
  for (const auto& s : o.sections)
    bound += sizeof(Elf64_Shdr) + (s.name == ".eh_frame" ? s.bytes.size() + 8 : 0);
  for (const auto& s : o.symbols) bound += sizeof(Elf64_Sym) + s.name.size() + 1;
  bound += linked.function_names.size() + 18 * linked.functions.size();
  for (const auto& f : o.files) bound += f.size() + 16;
  return bound + 32 * o.lines.size();
}

Result<ImageView> write_debug_image(const obj::Object& o, const link::LinkedUnit& linked,
                                    std::string_view comp_dir, std::vector<uint8_t>& storage) {
  // Sized up front, so that a library's image (a megabyte) is not grown by
  // doubling, each step copying and clearing what it has.
  const size_t bound = debug_image_bound(o, linked, comp_dir);
  if (storage.size() < bound) storage.resize(bound);
  Out out(storage);
  return write_image(o, linked, comp_dir, out);
}

Result<ImageView> write_debug_image(const obj::Object& o, const link::LinkedUnit& linked,
                                    std::string_view comp_dir, std::vector<uint8_t>& storage, uint8_t* room,
                                    size_t capacity) {
  Out out(storage, room, capacity);
  return write_image(o, linked, comp_dir, out);
}

namespace {

Result<ImageView> write_image(const obj::Object& o, const link::LinkedUnit& linked, std::string_view comp_dir,
                              Out& out) {
  if (linked.section_addresses.size() != o.sections.size())
    return make_error(o.name, ": linked unit does not match its object");
  Scratch& sc = scratch();
  StrTab shstrtab(sc.shstrtab);
  auto& sh = sc.headers;
  sh.clear();
  sh.push_back(Elf64_Shdr{});  // SHN_UNDEF
  out.grow(sizeof(Elf64_Ehdr));  // the ELF header, written last

  // Loaded sections, NOBITS at their run addresses; `.text` must exist
  // (gdb's section offsets start from it).
  // A merged library group has hundreds of sections and a few distinct
  // names: each name once, looked up among the distinct ones.
  auto& names = sc.section_names;
  names.clear();
  auto section_name = [&](std::string_view name) {
    for (const auto& [known, at] : names)
      if (known == name) return at;
    const uint32_t at = shstrtab.add(name);
    names.emplace_back(name, at);
    return at;
  };
  auto& remap = sc.remap;
  remap.assign(o.sections.size(), 0);
  uint64_t first_code = 0;
  bool has_text = false;
  std::optional<obj::SectionIndex> eh;
  for (obj::SectionIndex k = 0; k < o.sections.size(); ++k) {
    const uint64_t at = linked.section_addresses[k];
    const obj::Section& s = o.sections[k];
    if (s.name == ".eh_frame") {  // its contents, below (the first one: a merged group may hold more)
      if (!eh) eh = k;
      continue;
    }
    if (at == 0) continue;
    Elf64_Shdr& h = sh.emplace_back(Elf64_Shdr{});
    h.sh_name = section_name(s.name);
    h.sh_type = SHT_NOBITS;
    h.sh_flags = s.flags;
    h.sh_addr = at;
    h.sh_offset = sizeof(Elf64_Ehdr);
    h.sh_size = s.size();
    h.sh_addralign = s.alignment != 0 ? s.alignment : 1;
    remap[k] = static_cast<uint32_t>(sh.size() - 1);
    if (s.is_code() && (first_code == 0 || at < first_code)) first_code = at;
    if (s.name == ".text") has_text = true;
  }
  if (!has_text) {
    Elf64_Shdr& h = sh.emplace_back(Elf64_Shdr{});
    h.sh_name = shstrtab.add(".text");
    h.sh_type = SHT_NOBITS;
    h.sh_flags = SHF_ALLOC | SHF_EXECINSTR;
    h.sh_addr = linked.code.lo;
    h.sh_offset = sizeof(Elf64_Ehdr);
  }
  auto progbits = [&](std::string_view name, size_t offset, uint64_t addr, uint64_t align) {
    Elf64_Shdr& h = sh.emplace_back(Elf64_Shdr{});
    h.sh_name = shstrtab.add(name);
    h.sh_type = SHT_PROGBITS;
    h.sh_addr = addr;
    h.sh_offset = offset;
    h.sh_size = out.size() - offset;
    h.sh_addralign = align;
  };

  if (eh && first_code != 0) {
    // Non-allocated, at its run address when the linker loaded it (for C
    // code), else at the unit's code address: pc-relative FDE fields reach.
    const uint64_t at = linked.section_addresses[*eh] != 0 ? linked.section_addresses[*eh] : first_code;
    const std::vector<uint8_t>& bytes = o.sections[*eh].bytes;
    out.align(8);
    const size_t offset = out.size();
    out.bytes(bytes.data(), bytes.size());
    if (Status s = relocate_eh_frame(o, *eh, linked, at, out.at(offset), bytes.size()); !s) return s.error();
    progbits(".eh_frame", offset, at, 8);
  }

  std::string_view file_name = o.name;
  for (size_t k = 1; k < o.files.size(); ++k)
    if (!o.files[k].empty()) { file_name = o.files[k]; break; }
  size_t offset = out.size();
  out.bytes(kAbbrev, sizeof kAbbrev);
  progbits(".debug_abbrev", offset, 0, 1);
  offset = out.size();
  write_debug_info(out, file_name, comp_dir, linked.code.lo, linked.code.hi, linked);
  progbits(".debug_info", offset, 0, 1);
  offset = out.size();
  line_rows(o, linked, sc.rows);
  write_debug_line(out, o.files, sc.rows, linked.code.hi);
  progbits(".debug_line", offset, 0, 1);

  // Symbols: null, locals, then the rest (sh_info = first non-local).
  StrTab strtab(sc.strtab);
  out.align(8);
  const size_t symtab_offset = out.size();
  out.put(Elf64_Sym{});
  uint32_t nsyms = 1, first_global = 1;
  for (int pass = 0; pass < 2; ++pass) {
    for (const obj::Symbol& s : o.symbols) {
      if (!s.section || s.name.empty() || *s.section >= remap.size() || remap[*s.section] == 0) continue;
      if (s.kind == obj::SymbolKind::Section || s.kind == obj::SymbolKind::File) continue;
      if ((s.binding == obj::Binding::Local) != (pass == 0)) continue;
      Elf64_Sym sym{};
      sym.st_name = strtab.add(s.name);
      sym.st_info = symbol_info(s);
      sym.st_shndx = static_cast<uint16_t>(remap[*s.section]);
      sym.st_value = s.value;
      sym.st_size = s.size;
      out.put(sym);
      ++nsyms;
    }
    if (pass == 0) first_global = nsyms;
  }
  const uint32_t symtab_index = static_cast<uint32_t>(sh.size());
  {
    Elf64_Shdr& h = sh.emplace_back(Elf64_Shdr{});
    h.sh_name = shstrtab.add(".symtab");
    h.sh_type = SHT_SYMTAB;
    h.sh_offset = symtab_offset;
    h.sh_size = out.size() - symtab_offset;
    h.sh_link = symtab_index + 1;
    h.sh_info = first_global;
    h.sh_addralign = 8;
    h.sh_entsize = 24;
  }
  auto string_table = [&](std::string_view name, StrTab& table) {
    Elf64_Shdr& h = sh.emplace_back(Elf64_Shdr{});
    h.sh_name = shstrtab.add(name);
    h.sh_type = SHT_STRTAB;
    h.sh_addralign = 1;
    h.sh_offset = out.size();
    h.sh_size = table.out().size();
    out.bytes(table.out().at(0), table.out().size());
  };
  string_table(".strtab", strtab);
  const uint32_t shstrtab_index = static_cast<uint32_t>(sh.size());
  string_table(".shstrtab", shstrtab);  // its own name is in before its bytes are copied
  if (sh.size() >= 0xff00) return make_error(o.name, ": too many sections for a debug image");

  out.align(8);
  const uint64_t shoff = out.size();
  out.bytes(sh.data(), sh.size() * sizeof(Elf64_Shdr));

  Elf64_Ehdr header{};
  const uint8_t ident[] = {ELFMAG0, ELFMAG1, ELFMAG2, ELFMAG3, ELFCLASS64, ELFDATA2LSB, EV_CURRENT};
  std::memcpy(header.e_ident, ident, sizeof ident);
  header.e_type = ET_REL;
  header.e_machine = EM_X86_64;
  header.e_version = EV_CURRENT;
  header.e_shoff = shoff;
  header.e_ehsize = sizeof(Elf64_Ehdr);
  header.e_shentsize = sizeof(Elf64_Shdr);
  header.e_shnum = static_cast<uint16_t>(sh.size());
  header.e_shstrndx = static_cast<uint16_t>(shstrtab_index);
  std::memcpy(out.at(0), &header, sizeof header);
  // A library's image can be a megabyte: its scratch does not stay.
  if (sc.strtab.size() > kKeepBytes) std::vector<uint8_t>().swap(sc.strtab);
  if (sc.rows.capacity() * sizeof(LineRow) > kKeepBytes) std::vector<LineRow>().swap(sc.rows);
  return ImageView{out.data(), out.size()};
}

}  // namespace

Result<std::vector<uint8_t>> build_debug_image(const obj::Object& object, const link::LinkedUnit& linked,
                                               const std::string& comp_dir) {
  std::vector<uint8_t> storage;
  auto view = write_debug_image(object, linked, comp_dir, storage);
  if (!view) return view.error();
  storage.resize(view->size);
  return storage;
}

}  // namespace ocamljit::debug
