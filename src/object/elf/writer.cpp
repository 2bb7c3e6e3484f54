#include "object/elf/writer.hpp"

#include <cstring>
#include <string>
#include <unordered_map>

namespace ocamljit::elf {
namespace {

constexpr uint32_t SHT_SYMTAB = 2, SHT_STRTAB = 3, SHT_RELA = 4;
constexpr uint64_t SHF_INFO_LINK = 0x40;
constexpr uint16_t SHN_ABS = 0xfff1;
constexpr uint8_t STB_LOCAL = 0, STB_GLOBAL = 1, STB_WEAK = 2;
constexpr uint8_t STT_NOTYPE = 0, STT_OBJECT = 1, STT_FUNC = 2, STT_SECTION = 3, STT_FILE = 4;

struct Out {
  std::vector<uint8_t> b;
  void align(uint64_t a) {
    if (a > 1)
      while (b.size() % a) b.push_back(0);
  }
  template <class T>
  void put(T v) {
    for (size_t k = 0; k < sizeof(T); ++k) b.push_back(static_cast<uint8_t>(static_cast<uint64_t>(v) >> (8 * k)));
  }
  template <class T>
  void patch(size_t at, T v) {
    for (size_t k = 0; k < sizeof(T); ++k) b[at + k] = static_cast<uint8_t>(static_cast<uint64_t>(v) >> (8 * k));
  }
};

struct StrTab {
  std::vector<uint8_t> bytes{0};
  std::unordered_map<std::string, uint32_t> seen;
  uint32_t add(const std::string& s) {
    if (s.empty()) return 0;
    auto it = seen.find(s);
    if (it != seen.end()) return it->second;
    uint32_t off = static_cast<uint32_t>(bytes.size());
    bytes.insert(bytes.end(), s.begin(), s.end());
    bytes.push_back(0);
    seen.emplace(s, off);
    return off;
  }
};

struct Shdr {
  uint32_t name = 0, type = 0;
  uint64_t flags = 0, addr = 0, offset = 0, size = 0;
  uint32_t link = 0, info = 0;
  uint64_t addralign = 1, entsize = 0;
};

}  // namespace

Result<std::vector<uint8_t>> write_relocatable(const obj::Object& o) {
  const std::string unit = o.name.empty() ? "<object>" : o.name;
  // Section header indices: null, then each section followed by its .rela.
  std::vector<uint32_t> shndx(o.sections.size());
  std::vector<uint32_t> rela_count(o.sections.size(), 0);
  for (const auto& r : o.relocations) {
    if (r.section >= o.sections.size())
      return make_error("unit ", unit, ": relocation in section ", r.section, " which does not exist");
    if (r.symbol >= o.symbols.size())
      return make_error("unit ", unit, ": relocation against symbol ", r.symbol, " which does not exist");
    ++rela_count[r.section];
  }
  uint32_t next = 1;
  std::vector<uint32_t> rela_shndx(o.sections.size(), 0);
  for (size_t k = 0; k < o.sections.size(); ++k) {
    shndx[k] = next++;
    if (rela_count[k]) rela_shndx[k] = next++;
  }
  const uint32_t symtab_ndx = next++, strtab_ndx = next++, shstrtab_ndx = next++;
  const uint32_t nsections = next;
  if (nsections >= 0xff00) return make_error("unit ", unit, ": too many sections");

  // Symbol table: null, locals (sections first, in object order), globals.
  StrTab strtab, shstrtab;
  std::vector<uint32_t> elf_sym(o.symbols.size(), 0);
  Out symtab;
  for (int k = 0; k < 24; ++k) symtab.b.push_back(0);
  uint32_t nsyms = 1;
  auto emit_sym = [&](size_t k) -> Status {
    const obj::Symbol& s = o.symbols[k];
    uint8_t bind = s.binding == obj::Binding::Local ? STB_LOCAL
                 : s.binding == obj::Binding::Weak  ? STB_WEAK
                                                    : STB_GLOBAL;
    uint8_t type = STT_NOTYPE;
    switch (s.kind) {
      case obj::SymbolKind::NoType: type = STT_NOTYPE; break;
      case obj::SymbolKind::Func: type = STT_FUNC; break;
      case obj::SymbolKind::Object: type = STT_OBJECT; break;
      case obj::SymbolKind::Section: type = STT_SECTION; break;
      case obj::SymbolKind::File: type = STT_FILE; break;
      case obj::SymbolKind::Tls: type = 6; break;  // STT_TLS
    }
    uint16_t ndx = 0;
    if (s.absolute) ndx = SHN_ABS;
    else if (s.section) {
      if (*s.section >= o.sections.size())
        return make_error("unit ", unit, ": symbol ", s.name, " in section ", *s.section, " which does not exist");
      ndx = static_cast<uint16_t>(shndx[*s.section]);
    }
    symtab.put<uint32_t>(type == STT_SECTION ? 0 : strtab.add(s.name));
    symtab.put<uint8_t>(static_cast<uint8_t>((bind << 4) | type));
    symtab.put<uint8_t>(0);
    symtab.put<uint16_t>(ndx);
    symtab.put<uint64_t>(s.value);
    symtab.put<uint64_t>(s.size);
    elf_sym[k] = nsyms++;
    return ok_status();
  };
  for (int pass = 0; pass < 3; ++pass) {
    for (size_t k = 0; k < o.symbols.size(); ++k) {
      const obj::Symbol& s = o.symbols[k];
      bool local = s.binding == obj::Binding::Local;
      bool section = s.kind == obj::SymbolKind::Section || s.kind == obj::SymbolKind::File;
      bool take = pass == 0 ? (local && section) : pass == 1 ? (local && !section) : !local;
      if (!take) continue;
      if (Status st = emit_sym(k); !st) return st.error();
    }
  }
  uint32_t first_global = 1;
  for (size_t k = 0; k < o.symbols.size(); ++k)
    if (o.symbols[k].binding == obj::Binding::Local) ++first_global;

  Out out;
  out.b.resize(64);
  std::vector<Shdr> sh(nsections);
  for (size_t k = 0; k < o.sections.size(); ++k) {
    const obj::Section& s = o.sections[k];
    Shdr& h = sh[shndx[k]];
    h.name = shstrtab.add(s.name);
    h.type = s.type;
    h.flags = s.flags;
    h.addr = s.address;
    h.addralign = s.alignment ? s.alignment : 1;
    h.entsize = s.entsize;
    out.align(h.addralign);
    h.offset = out.b.size();
    if (s.type == obj::elf::SHT_NOBITS) {
      h.size = s.nobits_size;
    } else {
      out.b.insert(out.b.end(), s.bytes.begin(), s.bytes.end());
      h.size = s.bytes.size();
    }
    if (rela_count[k]) {
      Shdr& r = sh[rela_shndx[k]];
      r.name = shstrtab.add(".rela" + s.name);
      r.type = SHT_RELA;
      r.flags = SHF_INFO_LINK;
      r.addralign = 8;
      r.entsize = 24;
      r.link = symtab_ndx;
      r.info = shndx[k];
      out.align(8);
      r.offset = out.b.size();
      for (const auto& rel : o.relocations) {
        if (rel.section != k) continue;
        out.put<uint64_t>(rel.offset);
        out.put<uint64_t>((static_cast<uint64_t>(elf_sym[rel.symbol]) << 32) | rel.type);
        out.put<int64_t>(rel.addend);
      }
      r.size = out.b.size() - r.offset;
    }
  }
  {
    Shdr& h = sh[symtab_ndx];
    h.name = shstrtab.add(".symtab");
    h.type = SHT_SYMTAB;
    h.addralign = 8;
    h.entsize = 24;
    h.link = strtab_ndx;
    h.info = first_global;
    out.align(8);
    h.offset = out.b.size();
    out.b.insert(out.b.end(), symtab.b.begin(), symtab.b.end());
    h.size = symtab.b.size();
  }
  {
    Shdr& h = sh[strtab_ndx];
    h.name = shstrtab.add(".strtab");
    h.type = SHT_STRTAB;
    h.offset = out.b.size();
    out.b.insert(out.b.end(), strtab.bytes.begin(), strtab.bytes.end());
    h.size = strtab.bytes.size();
  }
  {
    Shdr& h = sh[shstrtab_ndx];
    h.name = shstrtab.add(".shstrtab");
    h.type = SHT_STRTAB;
    h.offset = out.b.size();
    out.b.insert(out.b.end(), shstrtab.bytes.begin(), shstrtab.bytes.end());
    h.size = shstrtab.bytes.size();
  }
  out.align(8);
  const uint64_t shoff = out.b.size();
  for (const Shdr& h : sh) {
    out.put<uint32_t>(h.name);
    out.put<uint32_t>(h.type);
    out.put<uint64_t>(h.flags);
    out.put<uint64_t>(h.addr);
    out.put<uint64_t>(h.offset);
    out.put<uint64_t>(h.size);
    out.put<uint32_t>(h.link);
    out.put<uint32_t>(h.info);
    out.put<uint64_t>(h.addralign);
    out.put<uint64_t>(h.entsize);
  }
  // ELF header.
  static const uint8_t ident[16] = {0x7f, 'E', 'L', 'F', 2 /*64*/, 1 /*LE*/, 1 /*version*/, 0 /*SYSV*/};
  std::memcpy(out.b.data(), ident, 16);
  out.patch<uint16_t>(16, 1);     // ET_REL
  out.patch<uint16_t>(18, 62);    // EM_X86_64
  out.patch<uint32_t>(20, 1);     // EV_CURRENT
  out.patch<uint64_t>(24, 0);     // entry
  out.patch<uint64_t>(32, 0);     // phoff
  out.patch<uint64_t>(40, shoff);
  out.patch<uint32_t>(48, 0);     // flags
  out.patch<uint16_t>(52, 64);    // ehsize
  out.patch<uint16_t>(54, 0);     // phentsize
  out.patch<uint16_t>(56, 0);     // phnum
  out.patch<uint16_t>(58, 64);    // shentsize
  out.patch<uint16_t>(60, static_cast<uint16_t>(nsections));
  out.patch<uint16_t>(62, static_cast<uint16_t>(shstrtab_ndx));
  return std::move(out.b);
}

}  // namespace ocamljit::elf
