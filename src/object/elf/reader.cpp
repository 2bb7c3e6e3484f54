#include "object/elf/reader.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

namespace ocamljit::elf {
namespace {

// ELF64 on-disk layouts and constants (System V gABI, x86-64 psABI).
constexpr uint16_t ET_REL = 1;
constexpr uint16_t EM_X86_64 = 62;
constexpr uint32_t SHT_NULL = 0, SHT_SYMTAB = 2, SHT_STRTAB = 3, SHT_RELA = 4, SHT_REL = 9,
                   SHT_GROUP = 17, SHT_SYMTAB_SHNDX = 18;
constexpr uint16_t SHN_UNDEF = 0, SHN_LORESERVE = 0xff00, SHN_ABS = 0xfff1, SHN_COMMON = 0xfff2,
                   SHN_XINDEX = 0xffff;
constexpr uint8_t STB_LOCAL = 0, STB_GLOBAL = 1, STB_WEAK = 2;
constexpr uint8_t STT_NOTYPE = 0, STT_OBJECT = 1, STT_FUNC = 2, STT_SECTION = 3, STT_FILE = 4,
                  STT_COMMON = 5, STT_TLS = 6, STT_GNU_IFUNC = 10;
constexpr uint8_t STV_INTERNAL = 1, STV_HIDDEN = 2;
constexpr uint32_t GRP_COMDAT = 1;

struct Ehdr {
  uint8_t ident[16];
  uint16_t type, machine;
  uint32_t version;
  uint64_t entry, phoff, shoff;
  uint32_t flags;
  uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};
struct Shdr {
  uint32_t name, type;
  uint64_t flags, addr, offset, size;
  uint32_t link, info;
  uint64_t addralign, entsize;
};
struct Sym {
  uint32_t name;
  uint8_t info, other;
  uint16_t shndx;
  uint64_t value, size;
};
struct Rela {
  uint64_t offset, info;
  int64_t addend;
};
static_assert(sizeof(Ehdr) == 64 && sizeof(Shdr) == 64 && sizeof(Sym) == 24 && sizeof(Rela) == 24);

class Parser {
 public:
  Parser(std::span<const uint8_t> bytes, const std::string& name, const ReadOptions& options)
      : bytes_(bytes), name_(name), options_(options) {}

  Result<obj::Object> parse();

 private:
  template <class... Parts>
  Error fail(const Parts&... parts) const {
    return make_error(name_, ": malformed ELF object: ", parts...);
  }
  bool in_bounds(uint64_t offset, uint64_t size) const {
    return offset <= bytes_.size() && size <= bytes_.size() - offset;
  }
  template <class T>
  T load(uint64_t offset) const {
    T t;
    std::memcpy(&t, bytes_.data() + offset, sizeof(T));
    return t;
  }
  // The NUL-terminated string at `offset` in string table section `table`:
  // a view into the file, copied once, where it is kept.
  std::optional<std::string_view> string_at(const Shdr& table, uint64_t offset) const {
    if (offset >= table.size) return std::nullopt;
    const char* begin = reinterpret_cast<const char*>(bytes_.data() + table.offset + offset);
    const void* nul = std::memchr(begin, 0, table.size - offset);
    if (nul == nullptr) return std::nullopt;
    return std::string_view(begin, static_cast<size_t>(static_cast<const char*>(nul) - begin));
  }

  std::span<const uint8_t> bytes_;
  const std::string& name_;
  const ReadOptions& options_;
  std::vector<Shdr> shdrs_;
};

Result<obj::Object> Parser::parse() {
  if (!in_bounds(0, sizeof(Ehdr))) return fail("file too short for an ELF header");
  const auto eh = load<Ehdr>(0);
  if (std::memcmp(eh.ident, "\x7f" "ELF", 4) != 0) return fail("bad magic");
  if (eh.ident[4] != 2) return fail("not ELF64");
  if (eh.ident[5] != 1) return fail("not little-endian");
  if (eh.type != ET_REL) return fail("not a relocatable object (e_type ", eh.type, ")");
  if (eh.machine != EM_X86_64) return fail("not x86-64 (e_machine ", eh.machine, ")");
  if (eh.shentsize != sizeof(Shdr)) return fail("e_shentsize ", eh.shentsize);
  if (eh.shnum == 0) return fail("extended section numbering is not supported");
  if (!in_bounds(eh.shoff, uint64_t{eh.shnum} * sizeof(Shdr)))
    return fail("section header table out of bounds");
  for (uint16_t i = 0; i < eh.shnum; ++i) {
    auto sh = load<Shdr>(eh.shoff + uint64_t{i} * sizeof(Shdr));
    if (sh.type != obj::elf::SHT_NOBITS && sh.type != SHT_NULL && !in_bounds(sh.offset, sh.size))
      return fail("section ", i, " contents out of bounds");
    if (sh.addralign > 1 && (sh.addralign & (sh.addralign - 1)) != 0)
      return fail("section ", i, " alignment ", sh.addralign, " is not a power of two");
    shdrs_.push_back(sh);
  }
  if (eh.shstrndx >= shdrs_.size() || shdrs_[eh.shstrndx].type != SHT_STRTAB)
    return fail("bad section name table index ", eh.shstrndx);
  const Shdr& shstr = shdrs_[eh.shstrndx];

  obj::Object object;
  object.name = name_;
  object.sections.reserve(shdrs_.size());
  // ELF section index -> object section index, for the sections we keep.
  std::vector<std::optional<obj::SectionIndex>> kept(shdrs_.size());
  std::optional<uint16_t> symtab;
  for (uint16_t i = 0; i < shdrs_.size(); ++i) {
    const Shdr& sh = shdrs_[i];
    if (sh.type == SHT_SYMTAB) {
      if (symtab) return fail("more than one symbol table");
      symtab = i;
    }
    if (sh.type == SHT_SYMTAB_SHNDX) return fail("extended section indices are not supported");
    if (sh.type == SHT_NULL || sh.type == SHT_SYMTAB || sh.type == SHT_STRTAB ||
        sh.type == SHT_RELA || sh.type == SHT_REL || sh.type == SHT_GROUP)
      continue;
    auto section_name = string_at(shstr, sh.name);
    if (!section_name) return fail("section ", i, " has a bad name offset");
    obj::Section s;
    s.name = *section_name;
    s.type = sh.type;
    s.flags = sh.flags;
    s.alignment = sh.addralign == 0 ? 1 : sh.addralign;
    s.entsize = sh.entsize;
    if (sh.type == obj::elf::SHT_NOBITS)
      s.nobits_size = sh.size;
    else if (options_.loadable_only && !(sh.flags & obj::elf::SHF_ALLOC))
      ;  // contents nobody will load
    else
      s.bytes.assign(bytes_.begin() + static_cast<std::ptrdiff_t>(sh.offset),
                     bytes_.begin() + static_cast<std::ptrdiff_t>(sh.offset + sh.size));
    kept[i] = static_cast<obj::SectionIndex>(object.sections.size());
    object.sections.push_back(std::move(s));
  }

  // Symbols: Object::symbols[i] is ELF symbol i + 1 (index 0 is the null symbol).
  if (symtab) {
    const Shdr& st = shdrs_[*symtab];
    if (st.entsize != sizeof(Sym)) return fail("symbol table entry size ", st.entsize);
    if (st.link >= shdrs_.size() || shdrs_[st.link].type != SHT_STRTAB)
      return fail("symbol table has a bad string table link ", st.link);
    const Shdr& strtab = shdrs_[st.link];
    const uint64_t count = st.size / sizeof(Sym);
    object.symbols.reserve(count);
    for (uint64_t i = 1; i < count; ++i) {
      const auto es = load<Sym>(st.offset + i * sizeof(Sym));
      obj::Symbol s;
      auto symbol_name = string_at(strtab, es.name);
      if (!symbol_name) return fail("symbol ", i, " has a bad name offset");
      s.name = *symbol_name;
      s.value = es.value;
      s.size = es.size;
      s.hidden = (es.other & 3) == STV_HIDDEN || (es.other & 3) == STV_INTERNAL;
      switch (es.info >> 4) {
        case STB_LOCAL: s.binding = obj::Binding::Local; break;
        case STB_GLOBAL: s.binding = obj::Binding::Global; break;
        case STB_WEAK: s.binding = obj::Binding::Weak; break;
        default: return fail("symbol ", s.name, " has unknown binding ", es.info >> 4);
      }
      switch (es.info & 0xf) {
        case STT_NOTYPE: s.kind = obj::SymbolKind::NoType; break;
        case STT_OBJECT: s.kind = obj::SymbolKind::Object; break;
        case STT_FUNC: s.kind = obj::SymbolKind::Func; break;
        case STT_SECTION: s.kind = obj::SymbolKind::Section; break;
        case STT_FILE: s.kind = obj::SymbolKind::File; break;
        case STT_TLS: s.kind = obj::SymbolKind::Tls; break;
        case STT_COMMON: s.kind = obj::SymbolKind::Object; break;
        case STT_GNU_IFUNC:
          // Its address would be its resolver's: calls would go astray.
          if (es.shndx != SHN_UNDEF) return fail("symbol ", s.name, " is an IFUNC (not supported)");
          s.kind = obj::SymbolKind::Func;
          break;
        default: s.kind = obj::SymbolKind::NoType; break;
      }
      if (es.shndx == SHN_ABS) {
        s.absolute = true;
      } else if (es.shndx == SHN_COMMON) {
        if (s.binding == obj::Binding::Local) return fail("local common symbol ", s.name);
        if (s.value == 0 || (s.value & (s.value - 1)) != 0 || s.value > 4096)
          return fail("common symbol ", s.name, " has alignment ", s.value);
        if (s.size > (uint64_t{1} << 32)) return fail("common symbol ", s.name, " size ", s.size);
        s.common = true;
      } else if (es.shndx == SHN_XINDEX) {
        return fail("extended section index of symbol ", s.name);
      } else if (es.shndx != SHN_UNDEF && es.shndx < shdrs_.size() && !kept[es.shndx] &&
                 s.binding == obj::Binding::Local && shdrs_[es.shndx].type == SHT_GROUP) {
        // The local signature symbol g++ gives a COMDAT group (`...D5Ev`):
        // it names the group, nothing refers to it.
      } else if (es.shndx != SHN_UNDEF) {
        if (es.shndx >= SHN_LORESERVE || es.shndx >= shdrs_.size() || !kept[es.shndx])
          return fail("symbol ", s.name, " has bad section index ", es.shndx);
        s.section = *kept[es.shndx];
        if (s.kind == obj::SymbolKind::Section) s.name = object.sections[*s.section].name;
        const bool skipped = options_.loadable_only && !object.sections[*s.section].is_alloc();
        if (!skipped && s.value > object.sections[*s.section].size())
          return fail("symbol ", s.name, " value ", s.value, " is beyond its section");
      }
      object.symbols.push_back(std::move(s));
    }
  }

  // COMDAT groups: a word of flags, then the member section indices.
  for (uint16_t i = 0; i < shdrs_.size(); ++i) {
    const Shdr& sh = shdrs_[i];
    if (sh.type != SHT_GROUP) continue;
    if (sh.size < 4 || sh.size % 4 != 0) return fail("group section ", i, " size ", sh.size);
    if (load<uint32_t>(sh.offset) != GRP_COMDAT) continue;  // only COMDAT groups mean anything here
    if (!symtab || sh.link != *symtab || sh.info == 0 || sh.info > object.symbols.size())
      return fail("group section ", i, " has a bad signature symbol ", sh.info);
    obj::Group g;
    g.signature = object.symbols[sh.info - 1].name;
    for (uint64_t k = 4; k < sh.size; k += 4) {
      const uint32_t member = load<uint32_t>(sh.offset + k);
      if (member == 0 || member >= shdrs_.size())
        return fail("group ", g.signature, " has a bad member section ", member);
      if (kept[member]) g.sections.push_back(*kept[member]);
    }
    object.groups.push_back(std::move(g));
  }

  size_t relocation_count = 0;
  for (const Shdr& sh : shdrs_)
    if (sh.type == SHT_RELA && sh.entsize == sizeof(Rela) && sh.info < shdrs_.size() && kept[sh.info] &&
        !(options_.loadable_only && !object.sections[*kept[sh.info]].is_alloc()))
      relocation_count += sh.size / sizeof(Rela);
  object.relocations.reserve(relocation_count);
  for (uint16_t i = 0; i < shdrs_.size(); ++i) {
    const Shdr& sh = shdrs_[i];
    if (sh.type == SHT_REL) return fail("REL relocations (section ", i, ") are not supported");
    if (sh.type != SHT_RELA) continue;
    if (sh.entsize != sizeof(Rela)) return fail("relocation entry size ", sh.entsize);
    if (sh.info >= shdrs_.size()) return fail("relocation section ", i, " has bad target ", sh.info);
    if (!kept[sh.info]) continue;  // relocations of a section we do not model
    if (options_.loadable_only && !object.sections[*kept[sh.info]].is_alloc()) continue;
    if (!symtab || sh.link != *symtab)
      return fail("relocation section ", i, " does not use the symbol table");
    const obj::SectionIndex target = *kept[sh.info];
    const obj::Section& section = object.sections[target];
    const uint64_t count = sh.size / sizeof(Rela);
    for (uint64_t k = 0; k < count; ++k) {
      const auto er = load<Rela>(sh.offset + k * sizeof(Rela));
      obj::Relocation r;
      r.section = target;
      r.offset = er.offset;
      r.type = static_cast<uint32_t>(er.info & 0xffffffff);
      r.addend = er.addend;
      const uint64_t sym = er.info >> 32;
      if (sym == 0 || sym > object.symbols.size())
        return fail("relocation at ", section.name, "+", er.offset, " has bad symbol index ", sym);
      r.symbol = static_cast<obj::SymbolIndex>(sym - 1);
      if (er.offset >= section.size())
        return fail("relocation offset ", er.offset, " is beyond section ", section.name);
      object.relocations.push_back(r);
    }
  }
  return object;
}

}  // namespace

Result<obj::Object> read_relocatable(std::span<const uint8_t> bytes, const std::string& name,
                                     const ReadOptions& options) {
  return Parser(bytes, name, options).parse();
}

namespace {

// A regular file open for reading (closed with this object) and its size.
class RegularFile {
 public:
  static Result<RegularFile> open(const std::string& path) {
    RegularFile f(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (f.fd_ < 0) return make_error(path, ": cannot open: ", std::strerror(errno));
    struct stat st {};
    if (fstat(f.fd_, &st) != 0 || !S_ISREG(st.st_mode)) return make_error(path, ": not a regular file");
    f.size_ = static_cast<size_t>(st.st_size);
    return f;
  }
  RegularFile(RegularFile&& o) noexcept : fd_(std::exchange(o.fd_, -1)), size_(o.size_) {}
  RegularFile& operator=(RegularFile&&) = delete;
  ~RegularFile() {
    if (fd_ >= 0) close(fd_);
  }
  int fd() const { return fd_; }
  size_t size() const { return size_; }

 private:
  explicit RegularFile(int fd) : fd_(fd) {}
  int fd_ = -1;
  size_t size_ = 0;
};

// Reads `file`, whole, into the buffer `allocate(size)` returns (a
// Result<uint8_t*>; for an empty file nothing is written to it).
template <class Allocate>
Status read_regular_file(const std::string& path, const RegularFile& file, Allocate allocate) {
  const size_t size = file.size();
  Result<uint8_t*> buffer = allocate(size);
  if (!buffer) return buffer.error();
  size_t done = 0;
  while (done < size) {
    const ssize_t n = read(file.fd(), *buffer + done, size - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return make_error(path, ": read error");
    done += static_cast<size_t>(n);
  }
  return ok_status();
}

}  // namespace

Result<std::vector<uint8_t>> read_whole_file(const std::string& path) {
  std::vector<uint8_t> bytes;
  auto file = RegularFile::open(path);
  if (!file) return file.error();
  auto read = read_regular_file(path, *file, [&](size_t size) -> Result<uint8_t*> {
    bytes.resize(size);
    return bytes.data();
  });
  if (!read) return read.error();
  return bytes;
}

namespace {

// The SIGBUS guard of mapped files: slots of [lo, hi) ranges being read, a
// handler installed once. Slots are claimed and released with atomics: the
// handler may run on any thread, at any time.
struct GuardSlot {
  std::atomic<bool> used{false};
  std::atomic<uintptr_t> lo{0}, hi{0};  // lo == 0: not armed
  std::atomic<bool> damaged{false};
};
constexpr int kGuardSlots = 64;
GuardSlot guard_slots[kGuardSlots];
struct sigaction previous_sigbus;
uintptr_t guard_page_size = 4096;

void on_sigbus(int sig, siginfo_t* info, void* context) {
  const auto at = reinterpret_cast<uintptr_t>(info->si_addr);
  for (GuardSlot& g : guard_slots) {
    const uintptr_t lo = g.lo.load(std::memory_order_acquire);
    if (lo == 0 || at < lo || at >= g.hi.load(std::memory_order_acquire)) continue;
    // The file shrank under the mapping: zeros in place of the lost page,
    // and the faulting read is retried on them.
    const uintptr_t page = at & ~(guard_page_size - 1);
    if (mmap(reinterpret_cast<void*>(page), guard_page_size, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1,
             0) == MAP_FAILED)
      break;  // no page to put there: the default action
    g.damaged.store(true, std::memory_order_release);
    return;
  }
  // Not a guarded file: whatever was there before us.
  if ((previous_sigbus.sa_flags & SA_SIGINFO) != 0 && previous_sigbus.sa_sigaction != nullptr) {
    previous_sigbus.sa_sigaction(sig, info, context);
  } else if (previous_sigbus.sa_handler != SIG_DFL && previous_sigbus.sa_handler != SIG_IGN &&
             !((previous_sigbus.sa_flags & SA_SIGINFO) != 0)) {
    previous_sigbus.sa_handler(sig);
  } else {
    // The default action, taken when the faulting access is retried.
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    sigaction(SIGBUS, &dfl, nullptr);
  }
}

bool guard_installed() {
  static const bool installed = [] {
    const long page = sysconf(_SC_PAGESIZE);
    if (page > 0) guard_page_size = static_cast<uintptr_t>(page);
    struct sigaction sa {};
    sa.sa_sigaction = on_sigbus;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;  // on the alternate stack when there is one (OCaml sets one up)
    sigemptyset(&sa.sa_mask);
    return sigaction(SIGBUS, &sa, &previous_sigbus) == 0;
  }();
  return installed;
}

// A slot for [data, data + size), or -1 if none is free.
int arm_guard(const uint8_t* data, size_t size) {
  if (!guard_installed()) return -1;
  for (int i = 0; i < kGuardSlots; ++i) {
    GuardSlot& g = guard_slots[i];
    bool expected = false;
    if (!g.used.compare_exchange_strong(expected, true, std::memory_order_acq_rel)) continue;
    g.damaged.store(false, std::memory_order_relaxed);
    g.hi.store(reinterpret_cast<uintptr_t>(data) + size, std::memory_order_release);
    g.lo.store(reinterpret_cast<uintptr_t>(data), std::memory_order_release);
    return i;
  }
  return -1;
}

void disarm_guard(int slot) {
  GuardSlot& g = guard_slots[slot];
  g.lo.store(0, std::memory_order_release);
  g.hi.store(0, std::memory_order_release);
  g.used.store(false, std::memory_order_release);
}

}  // namespace

FileBytes::~FileBytes() {
  if (mapped_ != 0) munmap(data_, mapped_);
  if (guard_ >= 0) disarm_guard(guard_);  // after the unmap: no access can fault any more
}

bool FileBytes::intact() const {
  return guard_ < 0 || !guard_slots[guard_].damaged.load(std::memory_order_acquire);
}

Result<FileBytes> read_file_bytes(const std::string& path) {
  FileBytes out;
  auto file = RegularFile::open(path);
  if (!file) return file.error();
  {
    const size_t size = file->size();
    if (size == 0) return out;
    void* p = mmap(nullptr, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, file->fd(), 0);
    if (p != MAP_FAILED) {
      out.data_ = static_cast<uint8_t*>(p);
      out.size_ = out.mapped_ = size;
      out.guard_ = arm_guard(out.data_, size);
      if (out.guard_ >= 0) return out;
      out = FileBytes();  // unguarded: a copy instead
    }
  }
  auto read = read_regular_file(path, *file, [&](size_t size) -> Result<uint8_t*> {
    if (size == 0) return out.data_;
    // Fresh anonymous pages: no zero-filling pass before the read.
    void* p = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    if (p == MAP_FAILED) return make_error(path, ": cannot allocate ", size, " bytes: ", std::strerror(errno));
    out.data_ = static_cast<uint8_t*>(p);
    out.mapped_ = size;
    out.size_ = size;
    return out.data_;
  });
  if (!read) return read.error();
  return out;
}

Result<obj::Object> read_relocatable_file(const std::string& path) {
  auto bytes = read_whole_file(path);
  if (!bytes) return bytes.error();
  return read_relocatable(*bytes, path);
}

}  // namespace ocamljit::elf
