#include "link/linker.hpp"

#include <dlfcn.h>
#include <pthread.h>

#include "link/tls.hpp"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <map>
#include <optional>
#include <stdexcept>
#include <tuple>

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
// Bigger than any real section: such sizes come from corrupt objects.
constexpr uint64_t kMaxSection = uint64_t{1} << 30;
constexpr uint64_t kMaxTls = uint64_t{64} << 20;  // per thread, per group

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

bool is_loaded(const obj::Section& s, const LinkOptions& options) {
  // .eh_frame is unwind data for C++/gdb; the OCaml runtime does not use it.
  // TLS sections are templates, copied per thread (link/tls.hpp).
  return s.is_alloc() && !s.is_tls() && (options.unwind_info || s.name != ".eh_frame");
}

bool is_tls_relocation(uint32_t type) {
  return type == elf::R_X86_64_TLSGD || type == elf::R_X86_64_TLSLD ||
         type == elf::R_X86_64_DTPOFF32 || type == elf::R_X86_64_DTPOFF64 ||
         type == elf::R_X86_64_GOTTPOFF || type == elf::R_X86_64_TPOFF32 ||
         type == elf::R_X86_64_TPOFF64 || type == elf::R_X86_64_DTPMOD64;
}

// `__dso_handle` identifies "this shared object" to __cxa_atexit; a C++
// object's static destructors name it. JIT code is never unloaded, so one
// handle serves every group.
char dso_handle;

// Functions glibc keeps in libc_nonshared.a (linked statically into every
// program by libc.so's linker script), hence absent from dlsym: JIT code gets
// the copies linked into this executable.
int jit_pthread_atfork(void (*prepare)(), void (*parent)(), void (*child)()) {
  return pthread_atfork(prepare, parent, child);
}
int jit_atexit(void (*f)()) { return std::atexit(f); }

std::optional<uint64_t> builtin_symbol(const std::string& name) {
  // JIT-linked TLS lives in modules of ours, and C++ objects name the DSO.
  if (name == "__tls_get_addr") return reinterpret_cast<uint64_t>(&ocamljit_tls_get_addr);
  if (name == "__dso_handle") return reinterpret_cast<uint64_t>(&dso_handle);
  if (name == "pthread_atfork") return reinterpret_cast<uint64_t>(&jit_pthread_atfork);
  if (name == "atexit") return reinterpret_cast<uint64_t>(&jit_atexit);
  return std::nullopt;
}

// Constructor sections in the order ld places them in .init_array:
// .preinit_array first, then by priority (.init_array.N / .ctors.(65535-N)),
// unnumbered ones last; .ctors sections run backwards.
struct ConstructorSection {
  int rank = 0;           // 0: preinit; 1: init
  uint64_t priority = 0;
  bool backwards = false;
};
std::optional<ConstructorSection> constructor_section(const obj::Section& s) {
  auto number = [&](const std::string& prefix) -> std::optional<uint64_t> {
    if (s.name.size() <= prefix.size() || s.name.compare(0, prefix.size(), prefix) != 0) return std::nullopt;
    uint64_t n = 0;
    for (size_t i = prefix.size(); i < s.name.size(); ++i) {
      if (s.name[i] < '0' || s.name[i] > '9' || n > 100000) return std::nullopt;
      n = n * 10 + static_cast<uint64_t>(s.name[i] - '0');
    }
    return n;
  };
  if (s.type == elf::SHT_PREINIT_ARRAY || s.name == ".preinit_array") return ConstructorSection{0, 0, false};
  if (auto n = number(".init_array.")) return ConstructorSection{1, *n, false};
  if (auto n = number(".ctors.")) return ConstructorSection{1, *n > 65535 ? 0 : 65535 - *n, true};
  if (s.name == ".ctors") return ConstructorSection{1, 65536, true};
  if (s.type == elf::SHT_INIT_ARRAY || s.name == ".init_array") return ConstructorSection{1, 65536, false};
  return std::nullopt;
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

std::string origin_of(const obj::Object& object, const obj::Section& s) {
  return s.origin.empty() ? object.name : s.origin;
}

// The TLS template of a unit: its SHF_TLS sections, laid out in order.
struct TlsLayout {
  tls::Image image;
  std::vector<uint64_t> offset;  // per section: where it starts in the block (empty without TLS)
  bool present = false;
};

Result<TlsLayout> tls_layout(const obj::Object& object) {
  TlsLayout t;
  for (obj::SectionIndex k = 0; k < object.sections.size(); ++k) {
    const auto& s = object.sections[k];
    if (!s.is_tls() || !s.is_alloc()) continue;
    if (!t.present) t.offset.assign(object.sections.size(), 0);  // most units have no TLS: no table
    t.present = true;
    if (s.alignment > memory::Memory::page_size() || s.size() > kMaxTls || t.image.size > kMaxTls)
      return make_error(origin_of(object, s), ": TLS section ", s.name, " (size ", s.size(), ", alignment ",
                        s.alignment, ") is too large");
    t.image.align = std::max<uint64_t>(t.image.align, s.alignment);
    t.offset[k] = (t.image.size + s.alignment - 1) & ~(s.alignment - 1);
    t.image.size = t.offset[k] + s.size();
    if (s.type != elf::SHT_NOBITS && !s.bytes.empty()) {
      t.image.init.resize(t.image.size, 0);
      std::memcpy(t.image.init.data() + t.offset[k], s.bytes.data(), s.bytes.size());
    }
  }
  return t;
}

// The constructors of a linked unit, in the order they must run, read from
// its relocated constructor sections (`address_of`: nullopt if not placed).
Result<std::vector<uint64_t>> constructors(
    const obj::Object& object, const std::function<std::optional<uint64_t>(obj::SectionIndex)>& address_of) {
  struct Found {
    ConstructorSection order;
    obj::SectionIndex k;
    uint64_t address;
  };
  std::vector<Found> found;
  for (obj::SectionIndex k = 0; k < object.sections.size(); ++k)
    if (auto c = constructor_section(object.sections[k]))
      if (auto a = address_of(k)) found.push_back({*c, k, *a});
  std::stable_sort(found.begin(), found.end(), [](const Found& a, const Found& b) {
    return std::tie(a.order.rank, a.order.priority) < std::tie(b.order.rank, b.order.priority);
  });
  std::vector<uint64_t> out;
  for (const auto& f : found) {
    const auto& sec = object.sections[f.k];
    if (sec.size() % 8 != 0)
      return make_error(origin_of(object, sec), ": ", sec.name, " size ", sec.size(), " is not a multiple of 8");
    std::vector<uint64_t> entries(sec.size() / 8);
    if (!entries.empty()) std::memcpy(entries.data(), reinterpret_cast<const void*>(f.address), sec.size());
    if (f.order.backwards) std::reverse(entries.begin(), entries.end());
    for (uint64_t e : entries)
      if (e != 0 && e != ~uint64_t{0}) out.push_back(e);
  }
  return out;
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
    case elf::R_X86_64_DTPMOD64: return "R_X86_64_DTPMOD64";
    case elf::R_X86_64_DTPOFF64: return "R_X86_64_DTPOFF64";
    case elf::R_X86_64_TPOFF64: return "R_X86_64_TPOFF64";
    case elf::R_X86_64_TLSGD: return "R_X86_64_TLSGD";
    case elf::R_X86_64_TLSLD: return "R_X86_64_TLSLD";
    case elf::R_X86_64_DTPOFF32: return "R_X86_64_DTPOFF32";
    case elf::R_X86_64_GOTTPOFF: return "R_X86_64_GOTTPOFF";
    case elf::R_X86_64_TPOFF32: return "R_X86_64_TPOFF32";
    case elf::R_X86_64_GOTOFF64: return "R_X86_64_GOTOFF64";
    case elf::R_X86_64_GOTPC32: return "R_X86_64_GOTPC32";
    case elf::R_X86_64_SIZE32: return "R_X86_64_SIZE32";
    case elf::R_X86_64_SIZE64: return "R_X86_64_SIZE64";
    case 5: return "R_X86_64_COPY";
    case 6: return "R_X86_64_GLOB_DAT";
    case 7: return "R_X86_64_JUMP_SLOT";
    case 8: return "R_X86_64_RELATIVE";
    case 27: return "R_X86_64_GOT64";
    case 28: return "R_X86_64_GOTPCREL64";
    case 29: return "R_X86_64_GOTPC64";
    case 30: return "R_X86_64_GOTPLT64";
    case 31: return "R_X86_64_PLTOFF64";
    case 34: return "R_X86_64_GOTPC32_TLSDESC";
    case 35: return "R_X86_64_TLSDESC_CALL";
    case 36: return "R_X86_64_TLSDESC";
    case 37: return "R_X86_64_IRELATIVE";
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
  return symbols_.find(name);
}

std::optional<uint64_t> Linker::lookup(const std::string& name) const {
  if (auto a = lookup_linked(name)) return a;
  return lookup_outside(name);
}

std::optional<uint64_t> Linker::lookup_outside(const std::string& name) const {
  if (auto a = builtin_symbol(name)) return a;
  if (auto a = outside_cache_.find(name)) return a;
  auto a = external_(name);
  if (a) outside_cache_.insert(name, *a);
  return a;
}

void Linker::forget(const LinkedUnit& unit) {
  for (const auto& [name, address] : unit.globals) {
    symbols_.erase(name, address);
  }
  for (const auto& [name, offset] : unit.tls_globals) {
    auto it = tls_symbols_.find(name);
    if (it != tls_symbols_.end() && it->second == std::make_pair(unit.tls_module, offset)) tls_symbols_.erase(it);
  }
}

Result<LinkedUnit> Linker::link(const obj::Object& object, const LinkOptions& options) {
  LinkedUnit out;
  if (Status s = link(object, options, out); !s) return s.error();
  return out;
}

namespace {
// Empties `u`, keeping the memory of its tables.
void reset(LinkedUnit& u) {
  u.name.clear();
  u.globals.clear();
  u.functions.clear();
  u.function_names.clear();
  u.code = {};
  u.section_addresses.clear();
  u.bytes = 0;
  u.got_slots = u.plt_stubs = u.relaxed = 0;
  u.eh_frame = 0;
  u.constructors.clear();
  u.tls_module = 0;
  u.tls_globals.clear();
}
}  // namespace

Status Linker::link(const obj::Object& object, const LinkOptions& options, LinkedUnit& out) {
  reset(out);
  last_undefined_.clear();
  const std::string& unit = object.name;
  auto where = [&](const obj::Relocation& r) {
    const auto& sec = object.sections[r.section];
    return (sec.origin.empty() ? unit : sec.origin) + " " + sec.name + "+" + hex(r.offset);
  };
  auto is_tls_symbol = [&](const obj::Symbol& s) {
    return s.kind == obj::SymbolKind::Tls ||
           (s.section && *s.section < object.sections.size() && object.sections[*s.section].is_tls());
  };

  // ---- resolve: the address of every symbol a loaded section refers to.
  // Symbols defined here are placed later; others get an absolute address now.
  // The per-unit tables reuse the previous unit's memory: taken here, given back on any return.
  struct Borrowed {
    Scratch& home;
    Scratch tables;
    ~Borrowed() { home = std::move(tables); }
  } scratch{scratch_, std::move(scratch_)};
  // Whether each section is loaded, asked once per section (not once per relocation and pass).
  std::vector<uint8_t>& loaded_sections = scratch.tables.loaded;
  loaded_sections.resize(object.sections.size());
  for (size_t k = 0; k < object.sections.size(); ++k) loaded_sections[k] = is_loaded(object.sections[k], options);
  auto loaded = [&](const obj::Section& s) { return loaded_sections[&s - object.sections.data()] != 0; };
  std::vector<std::optional<uint64_t>>& outside = scratch.tables.outside;
  outside.assign(object.symbols.size(), std::nullopt);
  std::string first_use;
  for (const auto& r : object.relocations) {
    if (r.section >= object.sections.size() || r.symbol >= object.symbols.size())
      return make_error(unit, ": relocation with a bad section or symbol index");
    if (!loaded(object.sections[r.section]) || r.type == elf::R_X86_64_NONE) continue;
    const obj::Symbol& s = object.symbols[r.symbol];
    const bool earlier_tls = !s.section && r.type == elf::R_X86_64_TLSGD && tls_symbols_.count(s.name);
    if (is_tls_relocation(r.type) && !(s.section && is_tls_symbol(s)) && !earlier_tls)
      return make_error(relocation_name(r.type), " at ", where(r), " against ", s.name,
                        ": the thread-local variable must be defined by the objects linked together "
                        "(TLS of shared libraries is not reachable from JIT code)");
    if (s.section) {
      if (*s.section >= object.sections.size())
        return make_error(unit, ": symbol ", s.name, " has a bad section index");
      if (object.sections[*s.section].is_tls() && object.sections[*s.section].is_alloc()) {
        if (!is_tls_relocation(r.type))
          return make_error(relocation_name(r.type), " at ", where(r), " refers to thread-local ", s.name);
        continue;
      }
      if (!loaded(object.sections[*s.section]))
        return make_error("relocation at ", where(r), " refers to ", s.name,
                          " in section ", object.sections[*s.section].name, ", which is not loaded");
      continue;
    }
    if (s.absolute || outside[r.symbol] || earlier_tls) continue;
    std::optional<uint64_t> found = lookup_linked(s.name);
    if (!found && options.group_resolver) found = options.group_resolver(s.name);
    if (!found) found = lookup_outside(s.name);  // the units were searched first
    if (found) {
      outside[r.symbol] = *found;
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
  std::vector<bool>& relax = scratch.tables.relax;
  relax.assign(object.relocations.size(), false);
  std::map<obj::SymbolIndex, size_t> tls_pairs;  // general dynamic: symbol -> GOT pair
  bool tls_ld_pair = false;                      // local dynamic: one (module, 0) pair
  out.name.assign(unit);
  for (size_t i = 0; i < object.relocations.size(); ++i) {
    const auto& r = object.relocations[i];
    if (!loaded(object.sections[r.section])) continue;
    const obj::Symbol& s = object.symbols[r.symbol];
    if (r.type == elf::R_X86_64_TLSGD) {
      tls_pairs.emplace(r.symbol, tls_pairs.size());
      continue;
    }
    if (r.type == elf::R_X86_64_TLSLD) {
      tls_ld_pair = true;
      continue;
    }
    if (r.type == elf::R_X86_64_GOTTPOFF || r.type == elf::R_X86_64_TPOFF32 ||
        r.type == elf::R_X86_64_TPOFF64 || r.type == elf::R_X86_64_DTPMOD64)
      return make_error(relocation_name(r.type), " at ", where(r), " against ", s.name,
                        ": initial-/local-exec TLS is not supported in JIT code "
                        "(compile with -fPIC, or -ftls-model=global-dynamic)");
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
  std::vector<Placement>& place = scratch.tables.place;
  place.assign(object.sections.size(), Placement{});
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
    if (s.size() > kMaxSection)
      return make_error(s.origin.empty() ? unit : s.origin, ": section ", s.name, " size ", s.size(),
                        " is too large");
    place[k] = {put(access_of(s), s.size(), s.alignment), true};
  }
  const size_t stubs_at = put(Access::Code, plt.size() * kStubSize, 8);
  const size_t got_at = put(kGotAccess, got.size() * kSlotSize, 8);
  const size_t tls_pairs_at =
      put(kGotAccess, (tls_pairs.size() + (tls_ld_pair ? 1 : 0)) * 2 * kSlotSize, 16);

  // ---- TLS: the sections with SHF_TLS form the template of this unit's module.
  auto tls = tls_layout(object);
  if (!tls) return tls.error();
  const std::vector<uint64_t>& tls_offsets = tls->offset;
  auto tls_offset = [&](obj::SectionIndex k) -> uint64_t { return tls_offsets.empty() ? 0 : tls_offsets[k]; };
  tls::Image& tls_image = tls->image;
  const bool has_tls = tls->present;
  auto tls_symbol_offset = [&](obj::SymbolIndex k) {
    const obj::Symbol& s = object.symbols[k];
    return tls_offset(*s.section) + s.value;
  };
  uint8_t* base[memory::kAccessCount] = {nullptr, nullptr, nullptr};
  for (int a = 0; a < memory::kAccessCount; ++a) {
    if (size[a] == 0) continue;
    auto p = tx->allocate(static_cast<Access>(a), size[a], align[a]);
    if (!p) return make_error(unit, ": ", p.error().message);
    base[a] = *p;
    out.bytes += size[a];
  }
  // base[] is where the linker writes; code runs at Memory::exec_address.
  auto section_bytes = [&](obj::SectionIndex k) {
    return base[static_cast<int>(access_of(object.sections[k]))] + place[k].offset;
  };
  auto section_address = [&](obj::SectionIndex k) {
    const auto& s = object.sections[k];
    return memory_.exec_address(base[static_cast<int>(access_of(s))]) + place[k].offset;
  };
  auto symbol_address = [&](obj::SymbolIndex k) -> uint64_t {
    const obj::Symbol& s = object.symbols[k];
    if (s.section && !place[*s.section].placed) return 0;  // TLS: never an address
    if (s.section) return section_address(*s.section) + s.value;
    if (s.absolute) return s.value;
    return *outside[k];
  };
  const uint64_t code_base = memory_.exec_address(base[static_cast<int>(Access::Code)]);
  const uint64_t got_base = memory_.exec_address(base[static_cast<int>(kGotAccess)]) + got_at;
  const uint64_t stub_base = code_base + stubs_at;
  // TLS GOT pairs: written through base[], referenced by code at their exec address.
  uint8_t* const tls_pair_bytes = base[static_cast<int>(kGotAccess)] + tls_pairs_at;
  const uint64_t tls_pair_base = memory_.exec_address(base[static_cast<int>(kGotAccess)]) + tls_pairs_at;
  out.code = memory::Range{code_base, code_base + size[static_cast<int>(Access::Code)]};

  // ---- contents, GOT slots, PLT stubs.
  for (obj::SectionIndex k = 0; k < object.sections.size(); ++k) {
    const auto& s = object.sections[k];
    if (!place[k].placed || s.type == elf::SHT_NOBITS) continue;
    if (!s.bytes.empty())
      std::memcpy(section_bytes(k), s.bytes.data(), s.bytes.size());
  }
  for (const auto& [sym, slot] : got)
    store<uint64_t>(base[static_cast<int>(kGotAccess)] + got_at + slot * kSlotSize, symbol_address(sym));
  for (const auto& [sym, stub] : plt) {
    auto* at = base[static_cast<int>(Access::Code)] + stubs_at + stub * kStubSize;
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

  // The TLS module exists from here; it goes away again if the link fails.
  struct ModuleGuard {
    uint64_t id = 0;
    ~ModuleGuard() { if (id != 0) tls::remove_module(id); }
  } module;
  if (has_tls) {
    // Relocations inside the template: only absolute addresses make sense there.
    for (const auto& r : object.relocations) {
      const auto& sec = object.sections[r.section];
      if (!sec.is_tls() || !sec.is_alloc() || r.type == elf::R_X86_64_NONE) continue;
      if (r.type != elf::R_X86_64_64 || sec.type == elf::SHT_NOBITS || r.offset + 8 > sec.bytes.size())
        return make_error("unsupported ", relocation_name(r.type), " at ", where(r), " in a TLS template");
      const obj::Symbol& s = object.symbols[r.symbol];
      if (s.section && !loaded(object.sections[*s.section]))
        return make_error(relocation_name(r.type), " at ", where(r), " refers to ", s.name, ", which is not loaded");
      store<uint64_t>(tls_image.init.data() + tls_offset(r.section) + r.offset,
                      symbol_address(r.symbol) + static_cast<uint64_t>(r.addend));
    }
    module.id = tls::add_module(std::move(tls_image));
    out.tls_module = module.id;
  }
  for (const auto& [sym, pair] : tls_pairs) {
    auto* at = tls_pair_bytes + pair * 2 * kSlotSize;
    if (object.symbols[sym].section) {
      store<uint64_t>(at, module.id);
      store<uint64_t>(at + kSlotSize, tls_symbol_offset(sym));
    } else {  // defined by an earlier unit
      const auto& [earlier_module, offset] = tls_symbols_.at(object.symbols[sym].name);
      store<uint64_t>(at, earlier_module);
      store<uint64_t>(at + kSlotSize, offset);
    }
  }
  const uint64_t tls_ld_address = tls_pair_base + tls_pairs.size() * 2 * kSlotSize;
  if (tls_ld_pair) {
    uint8_t* const ld = tls_pair_bytes + tls_pairs.size() * 2 * kSlotSize;
    store<uint64_t>(ld, module.id);
    store<uint64_t>(ld + kSlotSize, 0);
  }

  // ---- apply.
  for (size_t i = 0; i < object.relocations.size(); ++i) {
    const auto& r = object.relocations[i];
    const auto& sec = object.sections[r.section];
    if (!place[r.section].placed || r.type == elf::R_X86_64_NONE) continue;
    const obj::Symbol& sym = object.symbols[r.symbol];
    const uint64_t P = section_address(r.section) + r.offset;
    auto* at = section_bytes(r.section) + r.offset;
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
      case elf::R_X86_64_64: case elf::R_X86_64_PC64: case elf::R_X86_64_DTPOFF64:
      case elf::R_X86_64_SIZE64: width = 8; break;
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
      case elf::R_X86_64_TLSGD: st = pc32(tls_pair_base + tls_pairs.at(r.symbol) * 2 * kSlotSize); break;
      case elf::R_X86_64_TLSLD: st = pc32(tls_ld_address); break;
      case elf::R_X86_64_DTPOFF32: {
        const auto v = static_cast<int64_t>(tls_symbol_offset(r.symbol)) + A;
        if (v < INT32_MIN || v > INT32_MAX) return overflow(v);
        store<int32_t>(at, static_cast<int32_t>(v));
        break;
      }
      case elf::R_X86_64_DTPOFF64:
        store<uint64_t>(at, tls_symbol_offset(r.symbol) + static_cast<uint64_t>(A));
        break;
      case elf::R_X86_64_SIZE32: {
        const auto v = static_cast<int64_t>(sym.size) + A;
        if (v < INT32_MIN || v > UINT32_MAX) return overflow(v);
        store<uint32_t>(at, static_cast<uint32_t>(v));
        break;
      }
      case elf::R_X86_64_SIZE64: store<uint64_t>(at, sym.size + static_cast<uint64_t>(A)); break;
      default:
        return make_error("unsupported ", relocation_name(r.type), " against ", sym.name,
                          " at ", where(r));
    }
    if (!st) return st.error();
  }

  // ---- collect: constructors (read back once relocated), unwind tables.
  auto ctors = constructors(object, [&](obj::SectionIndex k) -> std::optional<uint64_t> {
    if (!place[k].placed) return std::nullopt;
    return section_address(k);
  });
  if (!ctors) return ctors.error();
  out.constructors = std::move(*ctors);
  if (options.unwind_info)
    if (auto k = object.find_section(".eh_frame"); k && place[*k].placed) out.eh_frame = section_address(*k);

  // ---- commit.
  out.section_addresses.assign(object.sections.size(), 0);
  for (obj::SectionIndex k = 0; k < object.sections.size(); ++k)
    if (place[k].placed) out.section_addresses[k] = section_address(k);
  size_t global_count = 0;  // sized up front: a library brings thousands
  for (const auto& s : object.symbols) global_count += s.binding != obj::Binding::Local ? 1 : 0;
  out.globals.reserve(global_count);
  for (const auto& s : object.symbols) {
    if (s.kind == obj::SymbolKind::Func && s.section && s.size > 0 && place[*s.section].placed)
      out.add_function(s.name, section_address(*s.section) + s.value, s.size);
    if (!s.defined() || s.binding == obj::Binding::Local || s.name.empty() || s.hidden) continue;
    if (s.kind == obj::SymbolKind::Section || s.kind == obj::SymbolKind::File) continue;
    if (is_tls_symbol(s)) {
      if (s.section && object.sections[*s.section].is_tls())
        out.tls_globals.emplace(s.name, tls_offset(*s.section) + s.value);
      continue;
    }
    out.globals.add(s.name, s.section ? section_address(*s.section) + s.value : s.value);
  }
  out.globals.sort();
  if (auto sealed = tx->seal(); !sealed) return make_error(unit, ": ", sealed.error().message);
  const uint64_t module_id = module.id;
  module.id = 0;  // kept
  // The earliest definition wins, as with dlsym over libraries loaded in order.
  symbols_.insert_all(out.globals);
  for (const auto& [name, offset] : out.tls_globals) tls_symbols_.emplace(name, std::make_pair(module_id, offset));
  return ok_status();
}

void UnitGlobals::sort() {
  auto by_name = [this](const Entry& a, const Entry& b) { return name(a) < name(b); };
  if (entries_.size() <= 32) {
    // A phrase's few: insertion sort in place (stable_sort takes a buffer).
    for (auto it = entries_.begin(); it != entries_.end(); ++it)
      std::rotate(std::upper_bound(entries_.begin(), it, *it, by_name), it, it + 1);
  } else {
    std::stable_sort(entries_.begin(), entries_.end(), by_name);
  }
  auto same = [this](const Entry& a, const Entry& b) { return name(a) == name(b); };
  entries_.erase(std::unique(entries_.begin(), entries_.end(), same), entries_.end());
}

const uint64_t* UnitGlobals::find(std::string_view name) const {
  auto it = std::lower_bound(entries_.begin(), entries_.end(), name,
                             [this](const Entry& e, std::string_view n) { return this->name(e) < n; });
  return it != entries_.end() && this->name(*it) == name ? &it->address : nullptr;
}

uint64_t UnitGlobals::at(std::string_view name) const {
  if (const uint64_t* a = find(name)) return *a;
  throw std::out_of_range("no global " + std::string(name));
}

void Linker::forget(const std::vector<std::string>& names) {
  for (const auto& name : names) symbols_.erase(name);
}

}  // namespace ocamljit::link
