// TEST-ONLY. A minimal reader of relocatable ELF64 files (sections, their
// bytes and relocations, symbols named) and helpers to run GNU as, so tests
// can compare our output with GNU as's, section by section.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace ocamljit::testing {

struct MiniReloc {
  uint64_t offset;
  uint32_t type;
  std::string symbol;  // section symbols: the section's name
  int64_t addend;
  bool operator==(const MiniReloc&) const = default;
};

struct MiniSection {
  std::string name;
  uint32_t type = 0;
  uint64_t flags = 0;
  uint64_t align = 0;
  uint64_t entsize = 0;
  std::vector<uint8_t> bytes;
  uint64_t size = 0;
  std::vector<MiniReloc> relocs;
};

struct MiniSymbol {
  uint64_t value = 0, size = 0;
  uint8_t type = 0, bind = 0;
  std::string section;  // "" when undefined, "*ABS*" when absolute
  bool operator==(const MiniSymbol&) const = default;
};

struct MiniElf {
  std::map<std::string, MiniSection> sections;
  std::map<std::string, MiniSymbol> symbols;  // named, non-section, non-file symbols
  std::string error;
};

template <class T>
T rd(const std::vector<uint8_t>& b, size_t off) {
  T v{};
  if (off + sizeof(T) <= b.size()) std::memcpy(&v, b.data() + off, sizeof(T));
  return v;
}

inline MiniElf read_elf(const std::vector<uint8_t>& b) {
  MiniElf e;
  if (b.size() < 64 || std::memcmp(b.data(), "\x7f" "ELF", 4) != 0) {
    e.error = "not an ELF file";
    return e;
  }
  uint64_t shoff = rd<uint64_t>(b, 40);
  uint16_t shnum = rd<uint16_t>(b, 60), shstrndx = rd<uint16_t>(b, 62);
  struct H { uint32_t name, type; uint64_t flags, off, size; uint32_t link, info; uint64_t align, entsize; };
  std::vector<H> hs(shnum);
  for (uint16_t k = 0; k < shnum; ++k) {
    size_t o = shoff + 64u * k;
    hs[k] = {rd<uint32_t>(b, o), rd<uint32_t>(b, o + 4), rd<uint64_t>(b, o + 8), rd<uint64_t>(b, o + 24),
             rd<uint64_t>(b, o + 32), rd<uint32_t>(b, o + 40), rd<uint32_t>(b, o + 44), rd<uint64_t>(b, o + 48), rd<uint64_t>(b, o + 56)};
  }
  auto str = [&](uint64_t tab_off, uint64_t i) {
    std::string s;
    for (size_t k = tab_off + i; k < b.size() && b[k]; ++k) s += static_cast<char>(b[k]);
    return s;
  };
  auto secname = [&](uint32_t k) { return str(hs[shstrndx].off, hs[k].name); };
  for (uint16_t k = 1; k < shnum; ++k) {
    if (hs[k].type == 4 || hs[k].type == 2 || hs[k].type == 3) continue;
    MiniSection s;
    s.name = secname(k);
    s.type = hs[k].type;
    s.flags = hs[k].flags;
    s.align = hs[k].align;
    s.entsize = hs[k].entsize;
    s.size = hs[k].size;
    if (hs[k].type != 8) s.bytes.assign(b.begin() + static_cast<long>(hs[k].off), b.begin() + static_cast<long>(hs[k].off + hs[k].size));
    e.sections[s.name] = std::move(s);
  }
  for (uint16_t k = 1; k < shnum; ++k) {
    if (hs[k].type != 2) continue;
    const H& strtab = hs[hs[k].link];
    for (uint64_t i = 1; i < hs[k].size / 24; ++i) {
      size_t so = hs[k].off + 24 * i;
      uint8_t stinfo = rd<uint8_t>(b, so + 4);
      if ((stinfo & 15) == 3 || (stinfo & 15) == 4) continue;
      uint16_t shndx = rd<uint16_t>(b, so + 6);
      MiniSymbol m;
      m.value = rd<uint64_t>(b, so + 8);
      m.size = rd<uint64_t>(b, so + 16);
      m.type = stinfo & 15;
      m.bind = stinfo >> 4;
      m.section = shndx == 0 ? "" : shndx == 0xfff1 ? "*ABS*" : shndx < shnum ? secname(shndx) : "?";
      e.symbols[str(strtab.off, rd<uint32_t>(b, so))] = m;
    }
  }
  for (uint16_t k = 1; k < shnum; ++k) {
    if (hs[k].type != 4) continue;
    const H& symtab = hs[hs[k].link];
    const H& strtab = hs[symtab.link];
    MiniSection& target = e.sections[secname(static_cast<uint16_t>(hs[k].info))];
    for (uint64_t r = 0; r < hs[k].size / 24; ++r) {
      size_t o = hs[k].off + 24 * r;
      uint64_t info = rd<uint64_t>(b, o + 8);
      uint32_t symi = static_cast<uint32_t>(info >> 32);
      size_t so = symtab.off + 24u * symi;
      uint8_t stinfo = rd<uint8_t>(b, so + 4);
      uint16_t shndx = rd<uint16_t>(b, so + 6);
      std::string name = (stinfo & 15) == 3 ? secname(shndx) : str(strtab.off, rd<uint32_t>(b, so));
      target.relocs.push_back({rd<uint64_t>(b, o), static_cast<uint32_t>(info & 0xffffffff), name, rd<int64_t>(b, o + 16)});
    }
  }
  return e;
}

inline std::vector<uint8_t> read_file_bytes(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

// Runs `as` on `source`; returns the object's bytes (empty on failure, with
// as's messages in `diagnostics`).
inline std::vector<uint8_t> run_gnu_as(const std::string& source, std::string* diagnostics = nullptr) {
  char dir[] = "/tmp/ocamljit-as-XXXXXX";
  if (!mkdtemp(dir)) return {};
  std::string d(dir);
  {
    std::ofstream s(d + "/in.s");
    s << source;
  }
  std::string cmd = "as --64 -o " + d + "/out.o " + d + "/in.s 2>" + d + "/err.txt";
  int rc = std::system(cmd.c_str());
  std::vector<uint8_t> out;
  if (rc == 0) out = read_file_bytes(d + "/out.o");
  if (diagnostics) {
    std::ifstream e(d + "/err.txt");
    std::stringstream ss;
    ss << e.rdbuf();
    *diagnostics = ss.str();
  }
  std::remove((d + "/in.s").c_str());
  std::remove((d + "/out.o").c_str());
  std::remove((d + "/err.txt").c_str());
  rmdir(d.c_str());
  return out;
}

inline std::string hex(const std::vector<uint8_t>& b, size_t from = 0, size_t to = SIZE_MAX) {
  std::string s;
  char buf[4];
  for (size_t k = from; k < b.size() && k < to; ++k) {
    std::snprintf(buf, sizeof buf, "%02x", b[k]);
    if (!s.empty()) s += ' ';
    s += buf;
  }
  return s;
}

// Compares two objects' allocated sections (bytes and relocations) but not
// .eh_frame unless `with_eh_frame`. Returns "" when identical, else the
// first differences.
inline std::string compare_objects(const MiniElf& ours, const MiniElf& theirs, bool with_eh_frame = true) {
  std::string out;
  for (const auto& [name, t] : theirs.sections) {
    if (!(t.flags & 2) && name != ".note.GNU-stack") continue;  // non-allocated (debug, ...)
    if (name == ".eh_frame" && !with_eh_frame) continue;
    auto it = ours.sections.find(name);
    if (it == ours.sections.end()) {
      if (t.size == 0) continue;
      out += "missing section " + name + "\n";
      continue;
    }
    const MiniSection& o = it->second;
    if (o.type != t.type || o.flags != t.flags || o.align != t.align || o.entsize != t.entsize)
      out += name + ": header (type " + std::to_string(o.type) + ", flags " + std::to_string(o.flags) + ", align " +
             std::to_string(o.align) + ", entsize " + std::to_string(o.entsize) + ") vs as (" + std::to_string(t.type) +
             ", " + std::to_string(t.flags) + ", " + std::to_string(t.align) + ", " + std::to_string(t.entsize) + ")\n";
    if (o.size != t.size) out += name + ": size " + std::to_string(o.size) + " vs as " + std::to_string(t.size) + "\n";
    size_t n = std::min(o.bytes.size(), t.bytes.size());
    for (size_t k = 0; k < n; ++k)
      if (o.bytes[k] != t.bytes[k]) {
        out += name + ": first byte difference at " + std::to_string(k) + ": ours [" + hex(o.bytes, k, k + 12) +
               "] as [" + hex(t.bytes, k, k + 12) + "]\n";
        break;
      }
    if (o.relocs != t.relocs) {
      size_t m = std::min(o.relocs.size(), t.relocs.size());
      size_t k = 0;
      while (k < m && o.relocs[k] == t.relocs[k]) ++k;
      auto show = [](const std::vector<MiniReloc>& rs, size_t k) {
        if (k >= rs.size()) return std::string("<none>");
        const auto& r = rs[k];
        return "off " + std::to_string(r.offset) + " type " + std::to_string(r.type) + " " + r.symbol + " " +
               std::to_string(r.addend);
      };
      out += name + ": relocations differ (" + std::to_string(o.relocs.size()) + " vs as " +
             std::to_string(t.relocs.size()) + "), first at #" + std::to_string(k) + ": ours " + show(o.relocs, k) +
             " / as " + show(t.relocs, k) + "\n";
    }
  }
  for (const auto& [name, o] : ours.sections)
    if ((o.flags & 2) && !theirs.sections.count(name) && o.size != 0) out += "extra section " + name + "\n";
  auto show = [](const MiniSymbol& m) {
    return "value " + std::to_string(m.value) + " size " + std::to_string(m.size) + " type " +
           std::to_string(m.type) + " bind " + std::to_string(m.bind) + " in '" + m.section + "'";
  };
  for (const auto& [name, t] : theirs.symbols) {
    auto it = ours.symbols.find(name);
    if (it == ours.symbols.end()) out += "missing symbol " + name + "\n";
    else if (!(it->second == t)) out += "symbol " + name + ": ours " + show(it->second) + " / as " + show(t) + "\n";
  }
  for (const auto& [name, o] : ours.symbols)
    if (!theirs.symbols.count(name)) out += "extra symbol " + name + "\n";
  return out;
}

}  // namespace ocamljit::testing
