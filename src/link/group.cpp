#include "link/group.hpp"

#include <algorithm>
#include <cstring>
#include <optional>
#include <string>
#include <unordered_map>

#include "link/name_index.hpp"

namespace ocamljit::link {
namespace {

// Which definition of a global symbol wins (higher wins; ties: first).
enum class Strength { Undefined, Weak, Common, Strong };

Strength strength_of(const obj::Symbol& s) {
  if (s.common) return Strength::Common;
  if (!s.defined()) return Strength::Undefined;
  return s.binding == obj::Binding::Weak ? Strength::Weak : Strength::Strong;
}

struct Global {
  obj::SymbolIndex index = 0;  // in the merged object
  Strength strength = Strength::Undefined;
  size_t owner = 0;            // object that defines it (when defined or common)
  uint64_t common_size = 0, common_align = 1;
};

uint32_t u32(const std::vector<uint8_t>& b, size_t at) {
  uint32_t v;
  std::memcpy(&v, b.data() + at, 4);
  return v;
}

// The parts of a CIE libgcc's unwinder trusts (it has no bounds checks):
// version, a known augmentation string, its data within the record.
Status check_cie(const std::vector<uint8_t>& in, size_t p, size_t size) {
  const size_t end = p + size;
  size_t at = p + 8;
  if (at >= end || (in[at] != 1 && in[at] != 3)) return make_error("unknown version");
  ++at;
  std::string augmentation;
  while (at < end && in[at] != 0) augmentation += static_cast<char>(in[at++]);
  if (at >= end) return make_error("unterminated augmentation");
  ++at;
  if (augmentation.find_first_not_of("zRPLS") != std::string::npos ||
      (!augmentation.empty() && augmentation[0] != 'z'))
    return make_error("unsupported augmentation \"", augmentation, "\"");
  auto leb = [&]() -> std::optional<uint64_t> {  // skips one (U|S)LEB128
    uint64_t v = 0;
    for (int shift = 0; at < end && shift < 64; shift += 7) {
      const uint8_t byte = in[at++];
      v |= uint64_t{byte & 0x7fu} << shift;
      if ((byte & 0x80) == 0) return v;
    }
    return std::nullopt;
  };
  if (!leb() || !leb()) return make_error("truncated alignment factors");
  if (in[p + 8] == 1) {  // version 1: a byte; version 3: a ULEB128
    if (at >= end) return make_error("truncated return register");
    ++at;
  } else if (!leb()) {
    return make_error("truncated return register");
  }
  if (!augmentation.empty()) {
    auto length = leb();
    if (!length || *length > end - at) return make_error("augmentation data runs past the record");
  }
  return ok_status();
}

// Where the kept records of an object's .eh_frame went in the merged one:
// runs of bytes (one per record, in input order), looked up by binary search.
class EhMap {
 public:
  void add(uint64_t in, uint64_t out, uint64_t size) { runs_.push_back({in, out, size}); }
  std::optional<uint64_t> at(uint64_t x) const {
    auto it = std::upper_bound(runs_.begin(), runs_.end(), x, [](uint64_t v, const Run& r) { return v < r.in; });
    if (it == runs_.begin()) return std::nullopt;
    --it;
    if (x - it->in >= it->size) return std::nullopt;
    return it->out + (x - it->in);
  }

 private:
  struct Run {
    uint64_t in, out, size;
  };
  std::vector<Run> runs_;
};

class Merger {
 public:
  Merger(const std::string& name, const std::unordered_set<std::string>& linked)
      : linked_(linked) {
    out_.object.name = name;
  }

  Status add(obj::Object& o, size_t which);
  // Must come first: `symbols` is every input object's symbol count.
  void reserve(size_t sections, size_t symbols, size_t relocations, size_t eh_frame_bytes) {
    eh_frame_bytes_ = eh_frame_bytes + 4;  // reserved when the section is made
    out_.object.sections.reserve(sections);
    out_.object.symbols.reserve(symbols);
    out_.object.relocations.reserve(relocations);
    global_index_.reserve(symbols / 2);
    globals_.reserve(symbols / 2);
  }
  Result<MergedGroup> finish();

 private:
  Status add_eh_frame(obj::Object& o, obj::SectionIndex k, const std::vector<bool>& discarded,
                      EhMap& offset_map, size_t& base_out);
  obj::SectionIndex eh_frame_index();

  const std::unordered_set<std::string>& linked_;
  MergedGroup out_;
  std::unordered_set<std::string> comdats_;  // signatures seen in this link
  // Global symbols by name, in the order first seen. The index has views of
  // the merged symbols' names: `reserve` sized the symbol vector for every
  // input symbol, so they never move, and a symbol keeps its name string
  // when a stronger definition replaces it.
  NameIndex global_index_;
  std::vector<Global> globals_;
  std::vector<std::string> owners_;          // object names, by object number
  std::optional<obj::SectionIndex> eh_frame_;
  size_t eh_frame_bytes_ = 0;
};

obj::SectionIndex Merger::eh_frame_index() {
  if (!eh_frame_) {
    obj::Section s;
    s.name = ".eh_frame";
    s.type = obj::elf::SHT_X86_64_UNWIND;
    s.flags = obj::elf::SHF_ALLOC;
    s.alignment = 8;
    s.bytes.reserve(eh_frame_bytes_);
    eh_frame_ = static_cast<obj::SectionIndex>(out_.object.sections.size());
    out_.object.sections.push_back(std::move(s));
  }
  return *eh_frame_;
}

// Appends the CIEs and FDEs of `o`'s .eh_frame section `k` to the merged
// .eh_frame, without the FDEs of discarded code. `offset_map.at(x)` is where
// byte x of the section went (nullopt: dropped).
Status Merger::add_eh_frame(obj::Object& o, obj::SectionIndex k, const std::vector<bool>& discarded,
                            EhMap& offset_map, size_t& base_out) {
  const std::vector<uint8_t>& in = o.sections[k].bytes;
  auto fail = [&](const auto&... parts) { return make_error(o.name, ": .eh_frame: ", parts...); };
  // The relocation at each offset (FDEs: pc_begin is at +8); the last one
  // at an offset wins.
  std::vector<std::pair<uint64_t, const obj::Relocation*>> reloc_at;
  for (const auto& r : o.relocations)
    if (r.section == k) reloc_at.emplace_back(r.offset, &r);
  std::stable_sort(reloc_at.begin(), reloc_at.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  auto reloc_find = [&](uint64_t offset) -> const obj::Relocation* {
    auto it = std::upper_bound(reloc_at.begin(), reloc_at.end(), offset,
                               [](uint64_t v, const auto& e) { return v < e.first; });
    if (it == reloc_at.begin() || std::prev(it)->first != offset) return nullptr;
    return std::prev(it)->second;
  };
  std::vector<uint8_t>& out = out_.object.sections[eh_frame_index()].bytes;
  if (out.size() % 4 != 0) return fail("records not 4-byte sized");
  const size_t base = out.size();
  base_out = base;
  size_t p = 0;
  while (p + 4 <= in.size()) {
    const uint32_t len = u32(in, p);
    if (len == 0) break;  // terminator: the rest is padding
    if (len == 0xffffffff) return fail("64-bit records are not supported");
    if (len < 4 || len > in.size() - p - 4) return fail("record at ", p, " runs past the end");
    const size_t size = 4 + static_cast<size_t>(len);
    const uint32_t id = u32(in, p + 4);
    bool keep = true;
    if (id == 0) {
      if (auto st = check_cie(in, p, size); !st) return fail("CIE at ", p, ": ", st.error().message);
    } else {  // an FDE: kept only if it describes code that is loaded
      if (size < 16) return fail("FDE at ", p, " is too short");
      const obj::Relocation* pc_begin = reloc_find(p + 8);
      keep = false;
      if (pc_begin != nullptr && pc_begin->type == obj::elf::R_X86_64_PC32) {
        const obj::Relocation& r = *pc_begin;
        if (r.symbol >= o.symbols.size()) return fail("bad relocation symbol");
        const obj::Symbol& s = o.symbols[r.symbol];
        keep = s.section && *s.section < discarded.size() && !discarded[*s.section];
      }
    }
    if (keep) {
      const size_t at = out.size();
      out.insert(out.end(), in.begin() + static_cast<std::ptrdiff_t>(p),
                 in.begin() + static_cast<std::ptrdiff_t>(p + size));
      if (id != 0) {  // the CIE pointer is relative: recompute it
        if (id > p + 4) return fail("FDE at ", p, " points before the section");
        const size_t cie = p + 4 - id;
        const auto cie_at = cie < in.size() ? offset_map.at(cie) : std::nullopt;
        if (!cie_at) return fail("FDE at ", p, " has no CIE");
        const uint32_t moved = static_cast<uint32_t>(at + 4 - *cie_at);
        std::memcpy(out.data() + at + 4, &moved, 4);
      }
      offset_map.add(p, at, size);
    }
    p += size;
  }
  if (out.size() % 4 != 0) return fail("records not 4-byte sized");
  return ok_status();
}

Status Merger::add(obj::Object& o, size_t which) {
  owners_.push_back(o.name);
  obj::Object& m = out_.object;
  // COMDAT groups: the first copy wins.
  std::vector<bool> discarded(o.sections.size(), false);
  for (const auto& g : o.groups) {
    // A group linked by an earlier link is dropped only if later code can
    // reach everything it defines: its hidden symbols (DW.ref.__gxx_personality_v0)
    // were never published, so such a group is linked again, as each shared
    // object has its own copy.
    bool reachable = true;
    if (linked_.count(g.signature))
      for (const auto& sym : o.symbols)
        if (sym.hidden && sym.section && sym.binding != obj::Binding::Local &&
            std::find(g.sections.begin(), g.sections.end(), *sym.section) != g.sections.end())
          reachable = false;
    if ((linked_.count(g.signature) && reachable) || comdats_.count(g.signature)) {
      for (auto k : g.sections)
        if (k < discarded.size()) discarded[k] = true;
    } else {
      comdats_.insert(g.signature);
      out_.comdats.push_back(g.signature);
    }
  }
  // Sections.
  std::vector<std::optional<obj::SectionIndex>> section_map(o.sections.size());
  std::optional<obj::SectionIndex> eh_frame;
  for (obj::SectionIndex k = 0; k < o.sections.size(); ++k) {
    obj::Section& s = o.sections[k];
    if (!s.is_alloc()) discarded[k] = true;
    if (discarded[k]) continue;
    if (s.name == ".eh_frame") {
      if (eh_frame) return make_error(o.name, ": more than one .eh_frame section");
      eh_frame = k;
      continue;
    }
    section_map[k] = static_cast<obj::SectionIndex>(m.sections.size());
    s.origin = o.name;
    m.sections.push_back(std::move(s));
  }
  EhMap eh_map;
  size_t eh_base = 0;
  if (eh_frame) {
    if (auto st = add_eh_frame(o, *eh_frame, discarded, eh_map, eh_base); !st) return st.error();
  }
  // Symbols.
  std::vector<obj::SymbolIndex> symbol_map(o.symbols.size());
  for (obj::SymbolIndex j = 0; j < o.symbols.size(); ++j) {
    obj::Symbol s = std::move(o.symbols[j]);  // `o` is consumed
    const bool in_discarded = s.section && (*s.section >= o.sections.size() || discarded[*s.section]);
    const bool in_eh_frame = s.section && eh_frame && *s.section == *eh_frame;
    if (s.binding == obj::Binding::Local || s.kind == obj::SymbolKind::Section ||
        s.kind == obj::SymbolKind::File) {
      if (in_eh_frame) {
        s.section = eh_frame_index();
        s.value = eh_map.at(s.value).value_or(eh_base);
      } else if (in_discarded) {
        // Only debug info may refer to it; the Linker reports any other use.
        s.name = s.name + " (in a section of " + o.name + " that is not loaded)";
        s.section.reset();
      } else if (s.section) {
        s.section = *section_map[*s.section];
      }
      s.binding = obj::Binding::Local;
      symbol_map[j] = static_cast<obj::SymbolIndex>(m.symbols.size());
      m.symbols.push_back(std::move(s));
      continue;
    }
    if (in_eh_frame) return make_error(o.name, ": global symbol ", s.name, " in .eh_frame");
    if (in_discarded) s.section.reset();  // resolves to the copy that was kept
    else if (s.section) s.section = *section_map[*s.section];
    const uint32_t* known = global_index_.find(s.name);
    const uint32_t number = known != nullptr ? *known : static_cast<uint32_t>(globals_.size());
    if (known == nullptr) {
      globals_.emplace_back().index = static_cast<obj::SymbolIndex>(m.symbols.size());
      obj::Symbol u;
      u.name = s.name;
      u.binding = s.binding;
      u.kind = s.kind;
      m.symbols.push_back(std::move(u));
      global_index_.try_insert(m.symbols.back().name, number);  // a view of the kept copy
    }
    Global& g = globals_[number];
    symbol_map[j] = g.index;
    obj::Symbol& t = m.symbols[g.index];
    t.hidden = t.hidden || s.hidden;
    const Strength st = strength_of(s);
    if (st == Strength::Undefined) {
      if (g.strength == Strength::Undefined && s.binding != obj::Binding::Weak)
        t.binding = obj::Binding::Global;
      continue;
    }
    if (st == Strength::Strong && g.strength == Strength::Strong)
      return make_error("duplicate symbol ", s.name, ": defined in ", owners_[g.owner], " and in ",
                        o.name);
    if (st == Strength::Common) {
      g.common_size = std::max(g.common_size, s.size);
      g.common_align = std::max(g.common_align, s.value);
    }
    if (st > g.strength) {
      const bool hidden = t.hidden;
      std::string name = std::move(t.name);  // the same text; global_index_ has a view of it
      t = std::move(s);  // not used below
      t.name = std::move(name);
      t.hidden = hidden;
      t.common = false;  // placed by finish() if still common
      if (st == Strength::Common) t.section.reset();
      g.strength = st;
      g.owner = which;
    }
  }
  // Relocations.
  for (const auto& r : o.relocations) {
    if (r.section >= o.sections.size() || r.symbol >= o.symbols.size())
      return make_error(o.name, ": relocation with a bad section or symbol index");
    obj::Relocation n = r;
    n.symbol = symbol_map[r.symbol];
    if (eh_frame && r.section == *eh_frame) {
      const auto moved = eh_map.at(r.offset);
      if (!moved) continue;  // in a dropped FDE
      n.section = eh_frame_index();
      n.offset = *moved;
    } else if (section_map[r.section]) {
      n.section = *section_map[r.section];
    } else {
      continue;  // relocates a section that is not loaded
    }
    m.relocations.push_back(n);
  }
  return ok_status();
}

Result<MergedGroup> Merger::finish() {
  obj::Object& m = out_.object;
  // COMMON symbols nobody defined: zeroed space, largest size and alignment.
  std::optional<obj::SectionIndex> bss;
  for (const Global& g : globals_) {
    if (g.strength != Strength::Common) continue;
    if (!bss) {
      obj::Section s;
      s.name = ".bss.common";
      s.type = obj::elf::SHT_NOBITS;
      s.flags = obj::elf::SHF_ALLOC | obj::elf::SHF_WRITE;
      s.origin = m.name;
      bss = static_cast<obj::SectionIndex>(m.sections.size());
      m.sections.push_back(std::move(s));
    }
    obj::Section& s = m.sections[*bss];
    s.alignment = std::max(s.alignment, g.common_align);
    const uint64_t at = (s.nobits_size + g.common_align - 1) & ~(g.common_align - 1);
    s.nobits_size = at + g.common_size;
    obj::Symbol& t = m.symbols[g.index];
    t.section = *bss;
    t.value = at;
    t.size = g.common_size;
  }
  if (eh_frame_) {
    auto& b = m.sections[*eh_frame_].bytes;
    b.insert(b.end(), 4, 0);  // the terminator __register_frame looks for
  }
  return std::move(out_);
}

}  // namespace

Result<MergedGroup> merge_objects(std::vector<obj::Object> objects, const std::string& name,
                                  const std::unordered_set<std::string>& linked_comdats) {
  Merger merger(name, linked_comdats);
  size_t sections = 1, symbols = 0, relocations = 0, eh_frame_bytes = 0;
  for (const auto& o : objects) {
    sections += o.sections.size();
    symbols += o.symbols.size();
    relocations += o.relocations.size();
    for (const auto& s : o.sections)
      if (s.name == ".eh_frame") eh_frame_bytes += s.bytes.size();
  }
  merger.reserve(sections, symbols, relocations, eh_frame_bytes);
  for (size_t i = 0; i < objects.size(); ++i)
    if (auto st = merger.add(objects[i], i); !st) return st.error();
  return merger.finish();
}

}  // namespace ocamljit::link
