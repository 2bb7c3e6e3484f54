#include "link/linker.hpp"

#include <dlfcn.h>

#include <algorithm>
#include <cstring>
#include <map>

namespace ocamljit::link {
namespace {

namespace elf = obj::elf;
using memory::Access;

constexpr int64_t kReach = int64_t{1} << 31;
// Slack kept when deciding before layout whether a target is reachable from
// anywhere in JIT memory (the exact check happens when applying).
constexpr int64_t kMargin = int64_t{1} << 20;
constexpr size_t kStubSize = 8;  // jmp *slot(%rip) (6 bytes) + 2 bytes of int3
constexpr size_t kSlotSize = 8;

std::string hex(uint64_t v) {
  static const char digits[] = "0123456789abcdef";
  std::string s;
  do {
    s.insert(s.begin(), digits[v & 0xf]);
    v >>= 4;
  } while (v != 0);
  return "0x" + s;
}

std::string signed_hex(int64_t v) {
  std::string s = hex(v < 0 ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v));
  if (v < 0) s.insert(s.begin(), '-');
  return s;
}

bool loaded(const obj::Section& s) {
  // .eh_frame is unwind data for C++/gdb; the OCaml runtime does not use it.
  return s.is_alloc() && s.name != ".eh_frame";
}

// Read-only data (OCaml's float constants and masks, GOT slots) shares the
// code pages, read+execute, as classic ld layouts did: a separate read-only
// arena would cost every unit two more mprotect calls (~3 us each) for the
// few dozen bytes of .rodata.cst* each OCaml unit carries.
Access access_of(const obj::Section& s) {
  if (s.is_writable()) return Access::ReadWrite;
  return Access::Code;
}
constexpr Access kGotAccess = Access::Code;

bool is_got_relative(uint32_t type) {
  return type == elf::R_X86_64_GOTPCREL || type == elf::R_X86_64_GOTPCRELX ||
         type == elf::R_X86_64_REX_GOTPCRELX;
}

template <class T>
void store(uint8_t* at, T v) {
  std::memcpy(at, &v, sizeof v);
}

}  // namespace

std::string relocation_name(uint32_t type) {
  switch (type) {
    case elf::R_X86_64_NONE: return "R_X86_64_NONE";
    case elf::R_X86_64_64: return "R_X86_64_64";
    case elf::R_X86_64_PC32: return "R_X86_64_PC32";
    case elf::R_X86_64_GOT32: return "R_X86_64_GOT32";
    case elf::R_X86_64_PLT32: return "R_X86_64_PLT32";
    case elf::R_X86_64_GOTPCREL: return "R_X86_64_GOTPCREL";
    case elf::R_X86_64_32: return "R_X86_64_32";
    case elf::R_X86_64_32S: return "R_X86_64_32S";
    case elf::R_X86_64_16: return "R_X86_64_16";
    case elf::R_X86_64_PC16: return "R_X86_64_PC16";
    case elf::R_X86_64_8: return "R_X86_64_8";
    case elf::R_X86_64_PC8: return "R_X86_64_PC8";
    case elf::R_X86_64_PC64: return "R_X86_64_PC64";
    case elf::R_X86_64_GOTPCRELX: return "R_X86_64_GOTPCRELX";
    case elf::R_X86_64_REX_GOTPCRELX: return "R_X86_64_REX_GOTPCRELX";
    default: return "relocation type " + std::to_string(type);
  }
}

ExternalResolver process_resolver() {
  return [](const std::string& name) -> std::optional<uint64_t> {
    dlerror();
    void* p = dlsym(RTLD_DEFAULT, name.c_str());
    if (p == nullptr && dlerror() != nullptr) return std::nullopt;
    return reinterpret_cast<uint64_t>(p);
  };
}

Linker::Linker(memory::Memory& memory, ExternalResolver external)
    : memory_(memory), external_(std::move(external)) {}

std::optional<uint64_t> Linker::lookup_linked(const std::string& name) const {
  auto it = symbols_.find(name);
  if (it == symbols_.end()) return std::nullopt;
  return it->second;
}

std::optional<uint64_t> Linker::lookup(const std::string& name) const {
  if (auto a = lookup_linked(name)) return a;
  if (auto it = outside_cache_.find(name); it != outside_cache_.end()) return it->second;
  auto a = external_(name);
  if (a) outside_cache_.emplace(name, *a);
  return a;
}

Result<LinkedUnit> Linker::link(const obj::Object& object) {
  last_undefined_.clear();
  const std::string& unit = object.name;
  auto where = [&](const obj::Relocation& r) {
    return unit + " " + object.sections[r.section].name + "+" + hex(r.offset);
  };

  // ---- resolve: the address of every symbol a loaded section refers to.
  // Symbols defined here are placed later; others get an absolute address now.
  std::vector<std::optional<uint64_t>> outside(object.symbols.size());
  std::string first_use;
  for (const auto& r : object.relocations) {
    if (r.section >= object.sections.size() || r.symbol >= object.symbols.size())
      return make_error(unit, ": relocation with a bad section or symbol index");
    if (!loaded(object.sections[r.section]) || r.type == elf::R_X86_64_NONE) continue;
    const obj::Symbol& s = object.symbols[r.symbol];
    if (s.section) {
      if (*s.section >= object.sections.size())
        return make_error(unit, ": symbol ", s.name, " has a bad section index");
      if (!loaded(object.sections[*s.section]))
        return make_error("relocation at ", where(r), " refers to ", s.name,
                          " in section ", object.sections[*s.section].name, ", which is not loaded");
      continue;
    }
    if (s.absolute || outside[r.symbol]) continue;
    if (auto a = lookup(s.name)) {
      outside[r.symbol] = *a;
    } else if (s.binding == obj::Binding::Weak) {
      outside[r.symbol] = 0;
    } else if (std::find(last_undefined_.begin(), last_undefined_.end(), s.name) ==
               last_undefined_.end()) {
      if (last_undefined_.empty()) first_use = where(r);
      last_undefined_.push_back(s.name);
    }
  }
  if (!last_undefined_.empty()) {
    std::string msg = "undefined symbol " + last_undefined_[0] + " (referenced at " + first_use + ")";
    if (last_undefined_.size() > 1)
      msg += " and " + std::to_string(last_undefined_.size() - 1) + " more";
    return make_error(msg);
  }

  const memory::Range span = memory_.span();
  auto reachable = [&](uint64_t target) {
    const auto t = static_cast<int64_t>(target);
    return t - static_cast<int64_t>(span.lo) > -(kReach - kMargin) &&
           t - static_cast<int64_t>(span.hi) < kReach - kMargin;
  };

  // ---- stubs: which symbols need a GOT slot, which a PLT stub.
  std::map<obj::SymbolIndex, size_t> got;  // symbol -> slot number
  std::map<obj::SymbolIndex, size_t> plt;  // symbol -> stub number
  std::vector<bool> relax(object.relocations.size(), false);
  LinkedUnit out;
  out.name = unit;
  for (size_t i = 0; i < object.relocations.size(); ++i) {
    const auto& r = object.relocations[i];
    if (!loaded(object.sections[r.section])) continue;
    const obj::Symbol& s = object.symbols[r.symbol];
    const bool here = s.section.has_value();
    const bool near = here || (outside[r.symbol] && reachable(*outside[r.symbol]));
    if (is_got_relative(r.type)) {
      const auto& bytes = object.sections[r.section].bytes;
      const bool is_mov = r.type != elf::R_X86_64_GOTPCREL && r.offset >= 2 &&
                          r.offset < bytes.size() && bytes[r.offset - 2] == 0x8b;
      if (near && is_mov && !s.absolute) {
        relax[i] = true;  // mov foo@GOTPCREL(%rip), %r  ->  lea foo(%rip), %r
        ++out.relaxed;
      } else {
        got.emplace(r.symbol, got.size());
      }
    } else if (r.type == elf::R_X86_64_PLT32 && !near && !s.absolute) {
      plt.emplace(r.symbol, plt.size());
      got.emplace(r.symbol, got.size());  // the stub jumps through a slot
    } else if (r.type == elf::R_X86_64_GOT32) {
      return make_error("relocation at ", where(r), ": R_X86_64_GOT32 is not supported");
    }
  }

  // ---- layout: one allocation per access class.
  auto tx = memory::Transaction::begin(memory_);
  if (!tx) return tx.error();
  struct Placement { size_t offset = 0; bool placed = false; };
  std::vector<Placement> place(object.sections.size());
  size_t size[memory::kAccessCount] = {0, 0, 0};
  size_t align[memory::kAccessCount] = {16, 8, 8};
  auto put = [&](Access a, size_t bytes, size_t alignment) {
    auto& top = size[static_cast<int>(a)];
    top = (top + alignment - 1) & ~(alignment - 1);
    align[static_cast<int>(a)] = std::max(align[static_cast<int>(a)], alignment);
    const size_t at = top;
    top += bytes;
    return at;
  };
  for (obj::SectionIndex k = 0; k < object.sections.size(); ++k) {
    const auto& s = object.sections[k];
    if (!loaded(s)) continue;
    if (s.alignment > memory::Memory::page_size())
      return make_error(unit, ": section ", s.name, " alignment ", s.alignment, " exceeds a page");
    place[k] = {put(access_of(s), s.size(), s.alignment), true};
  }
  const size_t stubs_at = put(Access::Code, plt.size() * kStubSize, 8);
  const size_t got_at = put(kGotAccess, got.size() * kSlotSize, 8);
  uint8_t* base[memory::kAccessCount] = {nullptr, nullptr, nullptr};
  for (int a = 0; a < memory::kAccessCount; ++a) {
    if (size[a] == 0) continue;
    auto p = tx->allocate(static_cast<Access>(a), size[a], align[a]);
    if (!p) return make_error(unit, ": ", p.error().message);
    base[a] = *p;
    out.bytes += size[a];
  }
  auto section_address = [&](obj::SectionIndex k) {
    const auto& s = object.sections[k];
    return reinterpret_cast<uint64_t>(base[static_cast<int>(access_of(s))]) + place[k].offset;
  };
  auto symbol_address = [&](obj::SymbolIndex k) -> uint64_t {
    const obj::Symbol& s = object.symbols[k];
    if (s.section) return section_address(*s.section) + s.value;
    if (s.absolute) return s.value;
    return *outside[k];
  };
  const uint64_t code_base = reinterpret_cast<uint64_t>(base[static_cast<int>(Access::Code)]);
  const uint64_t got_base =
      reinterpret_cast<uint64_t>(base[static_cast<int>(kGotAccess)]) + got_at;
  const uint64_t stub_base = code_base + stubs_at;
  out.code = memory::Range{code_base, code_base + size[static_cast<int>(Access::Code)]};

  // ---- contents, GOT slots, PLT stubs.
  for (obj::SectionIndex k = 0; k < object.sections.size(); ++k) {
    const auto& s = object.sections[k];
    if (!place[k].placed || s.type == elf::SHT_NOBITS) continue;
    if (!s.bytes.empty())
      std::memcpy(reinterpret_cast<uint8_t*>(section_address(k)), s.bytes.data(), s.bytes.size());
  }
  for (const auto& [sym, slot] : got)
    store<uint64_t>(reinterpret_cast<uint8_t*>(got_base + slot * kSlotSize), symbol_address(sym));
  for (const auto& [sym, stub] : plt) {
    auto* at = reinterpret_cast<uint8_t*>(stub_base + stub * kStubSize);
    const uint64_t slot = got_base + got.at(sym) * kSlotSize;
    const int64_t disp = static_cast<int64_t>(slot) - static_cast<int64_t>(stub_base + stub * kStubSize + 6);
    if (disp < -kReach || disp >= kReach)
      return make_error(unit, ": PLT stub for ", object.symbols[sym].name, " cannot reach its slot");
    at[0] = 0xff;
    at[1] = 0x25;
    store<int32_t>(at + 2, static_cast<int32_t>(disp));
    at[6] = at[7] = 0xcc;
  }
  out.got_slots = got.size();
  out.plt_stubs = plt.size();

  // ---- apply.
  for (size_t i = 0; i < object.relocations.size(); ++i) {
    const auto& r = object.relocations[i];
    const auto& sec = object.sections[r.section];
    if (!place[r.section].placed || r.type == elf::R_X86_64_NONE) continue;
    const obj::Symbol& sym = object.symbols[r.symbol];
    const uint64_t P = section_address(r.section) + r.offset;
    auto* at = reinterpret_cast<uint8_t*>(P);
    const uint64_t S = symbol_address(r.symbol);
    const int64_t A = r.addend;
    auto overflow = [&](int64_t v) {
      return make_error(relocation_name(r.type), " against ", sym.name, " at ", where(r),
                        " overflows (value ", signed_hex(v), ")");
    };
    auto width_ok = [&](size_t w) { return sec.type != elf::SHT_NOBITS && r.offset + w <= sec.bytes.size(); };
    auto pc32 = [&](uint64_t target) -> Status {
      const int64_t v = static_cast<int64_t>(target + static_cast<uint64_t>(A) - P);
      if (v < -kReach || v >= kReach) return overflow(v);
      store<int32_t>(at, static_cast<int32_t>(v));
      return ok_status();
    };
    Status st = ok_status();
    size_t width = 4;
    switch (r.type) {
      case elf::R_X86_64_64: case elf::R_X86_64_PC64: width = 8; break;
      case elf::R_X86_64_16: case elf::R_X86_64_PC16: width = 2; break;
      case elf::R_X86_64_8: case elf::R_X86_64_PC8: width = 1; break;
      default: break;
    }
    if (!width_ok(width)) return make_error(relocation_name(r.type), " at ", where(r), " is beyond its section");
    switch (r.type) {
      case elf::R_X86_64_64: store<uint64_t>(at, S + static_cast<uint64_t>(A)); break;
      case elf::R_X86_64_PC64: store<uint64_t>(at, S + static_cast<uint64_t>(A) - P); break;
      case elf::R_X86_64_PC32: st = pc32(S); break;
      case elf::R_X86_64_PLT32:
        st = pc32(plt.count(r.symbol) ? stub_base + plt.at(r.symbol) * kStubSize : S);
        break;
      case elf::R_X86_64_GOTPCREL: case elf::R_X86_64_GOTPCRELX: case elf::R_X86_64_REX_GOTPCRELX:
        if (relax[i]) {
          at[-2] = 0x8d;  // mov -> lea
          st = pc32(S);
        } else {
          st = pc32(got_base + got.at(r.symbol) * kSlotSize);
        }
        break;
      case elf::R_X86_64_32: {
        const uint64_t v = S + static_cast<uint64_t>(A);
        if (v > UINT32_MAX) return overflow(static_cast<int64_t>(v));
        store<uint32_t>(at, static_cast<uint32_t>(v));
        break;
      }
      case elf::R_X86_64_32S: {
        const auto v = static_cast<int64_t>(S + static_cast<uint64_t>(A));
        if (v < INT32_MIN || v > INT32_MAX) return overflow(v);
        store<int32_t>(at, static_cast<int32_t>(v));
        break;
      }
      case elf::R_X86_64_16: case elf::R_X86_64_8: {
        const uint64_t v = S + static_cast<uint64_t>(A);
        const uint64_t lim = r.type == elf::R_X86_64_16 ? 0xffff : 0xff;
        const auto sv = static_cast<int64_t>(v);
        if (sv > static_cast<int64_t>(lim) || sv < -static_cast<int64_t>(lim / 2 + 1)) return overflow(sv);
        if (r.type == elf::R_X86_64_16) store<uint16_t>(at, static_cast<uint16_t>(v));
        else store<uint8_t>(at, static_cast<uint8_t>(v));
        break;
      }
      case elf::R_X86_64_PC16: case elf::R_X86_64_PC8: {
        const auto v = static_cast<int64_t>(S + static_cast<uint64_t>(A) - P);
        const int64_t lim = r.type == elf::R_X86_64_PC16 ? 0x8000 : 0x80;
        if (v < -lim || v >= lim) return overflow(v);
        if (r.type == elf::R_X86_64_PC16) store<int16_t>(at, static_cast<int16_t>(v));
        else store<int8_t>(at, static_cast<int8_t>(v));
        break;
      }
      default:
        return make_error(unit, ": unsupported ", relocation_name(r.type), " against ", sym.name,
                          " at ", where(r));
    }
    if (!st) return st.error();
  }

  // ---- commit.
  for (const auto& s : object.symbols) {
    if (s.kind == obj::SymbolKind::Func && s.section && s.size > 0)
      out.functions.push_back({s.name, section_address(*s.section) + s.value, s.size});
    if (!s.defined() || s.binding == obj::Binding::Local || s.name.empty()) continue;
    if (s.kind == obj::SymbolKind::Section || s.kind == obj::SymbolKind::File) continue;
    out.globals.emplace(s.name, s.section ? section_address(*s.section) + s.value : s.value);
  }
  if (auto sealed = tx->seal(); !sealed) return make_error(unit, ": ", sealed.error().message);
  // The earliest definition wins, as with dlsym over libraries loaded in order.
  for (const auto& [name, address] : out.globals) symbols_.emplace(name, address);
  return out;
}

void Linker::forget(const std::vector<std::string>& names) {
  for (const auto& name : names) symbols_.erase(name);
}

}  // namespace ocamljit::link
