// The in-memory ELF object gdb reads for one JIT unit (see debug.hpp).
// Built with the project's ELF writer from a second, small Object: the
// unit's loaded sections as SHT_NOBITS at their run addresses, its named
// symbols, its .eh_frame with relocations applied, and a DWARF 4 compile
// unit (one DW_TAG_subprogram per function) with its line table.
#include <algorithm>
#include <cstring>

#include "debug/debug.hpp"
#include "object/elf/writer.hpp"

namespace ocamljit::debug {
namespace {

struct Bytes {
  std::vector<uint8_t> b;
  void u8(uint64_t v) { b.push_back(static_cast<uint8_t>(v)); }
  void u16(uint64_t v) { for (int k = 0; k < 2; ++k) u8(v >> (8 * k)); }
  void u32(uint64_t v) { for (int k = 0; k < 4; ++k) u8(v >> (8 * k)); }
  void u64(uint64_t v) { for (int k = 0; k < 8; ++k) u8(v >> (8 * k)); }
  void str(const std::string& s) { b.insert(b.end(), s.begin(), s.end()); u8(0); }
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
  void patch32(size_t at, uint64_t v) { for (int k = 0; k < 4; ++k) b[at + k] = static_cast<uint8_t>(v >> (8 * k)); }
};

// DWARF constants (DWARF 4, section 7).
constexpr uint8_t DW_TAG_compile_unit = 0x11, DW_TAG_subprogram = 0x2e;
constexpr uint8_t DW_AT_name = 0x03, DW_AT_stmt_list = 0x10, DW_AT_low_pc = 0x11, DW_AT_high_pc = 0x12,
                  DW_AT_comp_dir = 0x1b, DW_AT_producer = 0x25, DW_AT_external = 0x3f;
constexpr uint8_t DW_FORM_addr = 0x01, DW_FORM_data8 = 0x07, DW_FORM_string = 0x08,
                  DW_FORM_sec_offset = 0x17, DW_FORM_flag_present = 0x19;
constexpr uint8_t DW_LNS_copy = 1, DW_LNS_advance_pc = 2, DW_LNS_advance_line = 3, DW_LNS_set_file = 4,
                  DW_LNS_set_column = 5;
constexpr uint8_t DW_LNE_end_sequence = 1, DW_LNE_set_address = 2;

std::vector<uint8_t> debug_abbrev() {
  Bytes a;
  a.uleb(1); a.uleb(DW_TAG_compile_unit); a.u8(1);  // has children
  for (auto [at, form] : {std::pair{DW_AT_producer, DW_FORM_string}, {DW_AT_name, DW_FORM_string},
                          {DW_AT_comp_dir, DW_FORM_string}, {DW_AT_stmt_list, DW_FORM_sec_offset},
                          {DW_AT_low_pc, DW_FORM_addr}, {DW_AT_high_pc, DW_FORM_data8}}) {
    a.uleb(at); a.uleb(form);
  }
  a.u8(0); a.u8(0);
  a.uleb(2); a.uleb(DW_TAG_subprogram); a.u8(0);
  for (auto [at, form] : {std::pair{DW_AT_name, DW_FORM_string}, {DW_AT_external, DW_FORM_flag_present},
                          {DW_AT_low_pc, DW_FORM_addr}, {DW_AT_high_pc, DW_FORM_data8}}) {
    a.uleb(at); a.uleb(form);
  }
  a.u8(0); a.u8(0);
  a.u8(0);
  return std::move(a.b);
}

std::vector<uint8_t> debug_info(const std::string& name, const std::string& comp_dir, uint64_t lo, uint64_t hi,
                                const std::vector<link::FunctionRange>& functions) {
  Bytes d;
  d.u32(0);  // unit_length, patched
  d.u16(4);  // version
  d.u32(0);  // debug_abbrev_offset
  d.u8(8);   // address_size
  d.uleb(1);
  d.str("ocamljit");
  d.str(name);
  d.str(comp_dir);
  d.u32(0);  // stmt_list: the only line program
  d.u64(lo);
  d.u64(hi - lo);
  for (const auto& f : functions) {
    d.uleb(2);
    d.str(f.name);
    d.u64(f.address);
    d.u64(f.size);
  }
  d.u8(0);  // end of children
  d.patch32(0, d.b.size() - 4);
  return std::move(d.b);
}

// A DWARF 4 line program: one sequence per run of rows, addresses absolute.
std::vector<uint8_t> debug_line(const std::vector<std::string>& files, const std::vector<LineRow>& rows,
                                uint64_t end) {
  Bytes l;
  l.u32(0);   // unit_length, patched
  l.u16(4);   // version
  l.u32(0);   // header_length, patched
  const size_t header_start = l.b.size();
  l.u8(1);    // minimum_instruction_length
  l.u8(1);    // maximum_operations_per_instruction
  l.u8(1);    // default_is_stmt
  l.u8(static_cast<uint8_t>(-5));  // line_base
  l.u8(14);   // line_range
  l.u8(13);   // opcode_base
  for (uint8_t n : {0, 1, 1, 1, 1, 0, 0, 0, 1, 0, 0, 1}) l.u8(n);
  l.u8(0);    // no include directories
  // `.file N` is DWARF file N (1-based); index 0 and holes get a placeholder.
  for (size_t k = 1; k < std::max<size_t>(files.size(), 2); ++k) {
    l.str(k < files.size() && !files[k].empty() ? files[k] : "<unknown>");
    l.uleb(0); l.uleb(0); l.uleb(0);
  }
  l.u8(0);
  l.patch32(6, l.b.size() - header_start);
  if (!rows.empty()) {
    l.u8(0); l.uleb(9); l.u8(DW_LNE_set_address); l.u64(rows.front().address);
    uint64_t address = rows.front().address;
    int64_t line = 1;
    uint32_t file = 1, column = 0;
    for (const auto& r : rows) {
      if (r.address != address) { l.u8(DW_LNS_advance_pc); l.uleb(r.address - address); address = r.address; }
      if (r.file != file && r.file != 0) { l.u8(DW_LNS_set_file); l.uleb(r.file); file = r.file; }
      if (r.line != line) { l.u8(DW_LNS_advance_line); l.sleb(static_cast<int64_t>(r.line) - line); line = r.line; }
      if (r.column != column) { l.u8(DW_LNS_set_column); l.uleb(r.column); column = r.column; }
      l.u8(DW_LNS_copy);
    }
    if (end > address) { l.u8(DW_LNS_advance_pc); l.uleb(end - address); }
    l.u8(0); l.uleb(1); l.u8(DW_LNE_end_sequence);
  }
  l.patch32(0, l.b.size() - 4);
  return std::move(l.b);
}

// The unit's .eh_frame with its relocations applied as if the section sat
// at `at` (gdb reads it from the image and resolves pc-relative FDE
// addresses against the section's sh_addr).
Result<std::vector<uint8_t>> relocated_eh_frame(const obj::Object& o, obj::SectionIndex eh,
                                                const link::LinkedUnit& linked, uint64_t at) {
  std::vector<uint8_t> bytes = o.sections[eh].bytes;
  for (const auto& r : o.relocations) {
    if (r.section != eh) continue;
    const obj::Symbol& s = o.symbols[r.symbol];
    if (!s.section || *s.section >= linked.section_addresses.size() || linked.section_addresses[*s.section] == 0)
      return make_error(o.name, ": .eh_frame refers to ", s.name, ", which is not loaded");
    const int64_t target = static_cast<int64_t>(linked.section_addresses[*s.section] + s.value) + r.addend;
    const int64_t place = static_cast<int64_t>(at + r.offset);
    if (r.offset + 8 > bytes.size() && r.offset + 4 > bytes.size())
      return make_error(o.name, ": .eh_frame relocation beyond the section");
    if (r.type == obj::elf::R_X86_64_PC32) {
      const int64_t v = target - place;
      if (v < INT32_MIN || v > INT32_MAX) return make_error(o.name, ": .eh_frame address out of reach");
      const int32_t v32 = static_cast<int32_t>(v);
      std::memcpy(bytes.data() + r.offset, &v32, 4);
    } else if (r.type == obj::elf::R_X86_64_PC64 && r.offset + 8 <= bytes.size()) {
      const int64_t v = target - place;
      std::memcpy(bytes.data() + r.offset, &v, 8);
    } else if (r.type == obj::elf::R_X86_64_64 && r.offset + 8 <= bytes.size()) {
      std::memcpy(bytes.data() + r.offset, &target, 8);
    } else {
      return make_error(o.name, ": unsupported relocation type ", r.type, " in .eh_frame");
    }
  }
  return bytes;
}

}  // namespace

std::vector<LineRow> line_rows(const obj::Object& object, const link::LinkedUnit& linked) {
  std::vector<LineRow> rows;
  rows.reserve(object.lines.size());
  for (const auto& e : object.lines) {
    if (e.section >= linked.section_addresses.size() || linked.section_addresses[e.section] == 0) continue;
    rows.push_back({linked.section_addresses[e.section] + e.offset, e.file, e.line, e.column});
  }
  std::stable_sort(rows.begin(), rows.end(),
                   [](const LineRow& a, const LineRow& b) { return a.address < b.address; });
  return rows;
}

Result<std::vector<uint8_t>> build_debug_image(const obj::Object& o, const link::LinkedUnit& linked,
                                               const std::string& comp_dir) {
  if (linked.section_addresses.size() != o.sections.size())
    return make_error(o.name, ": linked unit does not match its object");
  obj::Object img;
  img.name = o.name;
  // Loaded sections, NOBITS at their run addresses; `.text` must exist
  // (gdb's section offsets start from it).
  std::vector<std::optional<obj::SectionIndex>> remap(o.sections.size());
  uint64_t first_code = 0;
  for (obj::SectionIndex k = 0; k < o.sections.size(); ++k) {
    const uint64_t at = linked.section_addresses[k];
    const auto& s = o.sections[k];
    if (at == 0 || s.name == ".eh_frame") continue;  // .eh_frame: its contents, below
    obj::Section n;
    n.name = s.name;
    n.type = obj::elf::SHT_NOBITS;
    n.flags = s.flags;
    n.alignment = s.alignment;
    n.nobits_size = s.size();
    n.address = at;
    remap[k] = static_cast<obj::SectionIndex>(img.sections.size());
    img.sections.push_back(std::move(n));
    if (s.is_code() && (first_code == 0 || at < first_code)) first_code = at;
  }
  if (!img.find_section(".text")) {
    obj::Section t;
    t.name = ".text";
    t.type = obj::elf::SHT_NOBITS;
    t.flags = obj::elf::SHF_ALLOC | obj::elf::SHF_EXECINSTR;
    t.address = linked.code.lo;
    img.sections.push_back(std::move(t));
  }
  for (const auto& s : o.symbols) {
    if (!s.section || s.name.empty() || !remap[*s.section]) continue;
    if (s.kind == obj::SymbolKind::Section || s.kind == obj::SymbolKind::File) continue;
    obj::Symbol n = s;
    n.section = remap[*s.section];
    img.symbols.push_back(std::move(n));
  }
  if (auto eh = o.find_section(".eh_frame"); eh && first_code != 0) {
    // Non-allocated, at its run address when the linker loaded it (for C
    // code), else at the unit's code address: pc-relative FDE fields reach.
    const uint64_t at = linked.section_addresses[*eh] != 0 ? linked.section_addresses[*eh] : first_code;
    auto bytes = relocated_eh_frame(o, *eh, linked, at);
    if (!bytes) return bytes.error();
    obj::Section n;
    n.name = ".eh_frame";
    n.alignment = 8;
    n.bytes = std::move(*bytes);
    n.address = at;
    img.sections.push_back(std::move(n));
  }
  auto add_debug = [&](const char* name, std::vector<uint8_t> bytes) {
    obj::Section n;
    n.name = name;
    n.bytes = std::move(bytes);
    img.sections.push_back(std::move(n));
  };
  std::string file_name = o.name;
  for (size_t k = 1; k < o.files.size(); ++k)
    if (!o.files[k].empty()) { file_name = o.files[k]; break; }
  add_debug(".debug_abbrev", debug_abbrev());
  add_debug(".debug_info", debug_info(file_name, comp_dir, linked.code.lo, linked.code.hi, linked.functions));
  add_debug(".debug_line", debug_line(o.files, line_rows(o, linked), linked.code.hi));
  return elf::write_relocatable(img);
}

}  // namespace ocamljit::debug
