// The object model: one representation of a relocatable unit for every
// producer (the assembler, the ELF reader) and every consumer (the ELF
// writer, the linker). Modelled on ELF64 x86-64 so that nothing is lost
// either way: section flags/types and relocation types are ELF's own numbers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ocamljit::obj {

// ELF constants used across rooms (values from the ELF64 / x86-64 psABI).
namespace elf {
inline constexpr uint32_t SHT_PROGBITS = 1;
inline constexpr uint32_t SHT_NOBITS = 8;
inline constexpr uint32_t SHT_INIT_ARRAY = 14;
inline constexpr uint32_t SHT_FINI_ARRAY = 15;
inline constexpr uint32_t SHT_PREINIT_ARRAY = 16;
inline constexpr uint32_t SHT_X86_64_UNWIND = 0x70000001;
inline constexpr uint64_t SHF_WRITE = 0x1;
inline constexpr uint64_t SHF_ALLOC = 0x2;
inline constexpr uint64_t SHF_EXECINSTR = 0x4;
inline constexpr uint64_t SHF_MERGE = 0x10;
inline constexpr uint64_t SHF_STRINGS = 0x20;
inline constexpr uint64_t SHF_GROUP = 0x200;
inline constexpr uint64_t SHF_TLS = 0x400;

inline constexpr uint32_t R_X86_64_NONE = 0;
inline constexpr uint32_t R_X86_64_64 = 1;
inline constexpr uint32_t R_X86_64_PC32 = 2;
inline constexpr uint32_t R_X86_64_GOT32 = 3;
inline constexpr uint32_t R_X86_64_PLT32 = 4;
inline constexpr uint32_t R_X86_64_GOTPCREL = 9;
inline constexpr uint32_t R_X86_64_32 = 10;
inline constexpr uint32_t R_X86_64_32S = 11;
inline constexpr uint32_t R_X86_64_16 = 12;
inline constexpr uint32_t R_X86_64_PC16 = 13;
inline constexpr uint32_t R_X86_64_8 = 14;
inline constexpr uint32_t R_X86_64_PC8 = 15;
inline constexpr uint32_t R_X86_64_DTPMOD64 = 16;
inline constexpr uint32_t R_X86_64_DTPOFF64 = 17;
inline constexpr uint32_t R_X86_64_TPOFF64 = 18;
inline constexpr uint32_t R_X86_64_TLSGD = 19;
inline constexpr uint32_t R_X86_64_TLSLD = 20;
inline constexpr uint32_t R_X86_64_DTPOFF32 = 21;
inline constexpr uint32_t R_X86_64_GOTTPOFF = 22;
inline constexpr uint32_t R_X86_64_TPOFF32 = 23;
inline constexpr uint32_t R_X86_64_PC64 = 24;
inline constexpr uint32_t R_X86_64_GOTOFF64 = 25;
inline constexpr uint32_t R_X86_64_GOTPC32 = 26;
inline constexpr uint32_t R_X86_64_SIZE32 = 32;
inline constexpr uint32_t R_X86_64_SIZE64 = 33;
inline constexpr uint32_t R_X86_64_GOTPCRELX = 41;
inline constexpr uint32_t R_X86_64_REX_GOTPCRELX = 42;
}  // namespace elf

using SectionIndex = uint32_t;
using SymbolIndex = uint32_t;

struct Section {
  std::string name;             // ".text", ".data", ".eh_frame", ...
  uint32_t type = elf::SHT_PROGBITS;
  uint64_t flags = 0;           // SHF_* bits
  uint64_t alignment = 1;       // power of two
  uint64_t entsize = 0;
  std::vector<uint8_t> bytes;   // contents; empty for SHT_NOBITS
  uint64_t nobits_size = 0;     // size of an SHT_NOBITS section
  uint64_t address = 0;         // sh_addr: 0 in relocatable objects, the run address in debug images
  std::string origin;           // the object it came from, once objects are merged (messages)

  uint64_t size() const { return type == elf::SHT_NOBITS ? nobits_size : bytes.size(); }
  bool is_code() const { return (flags & elf::SHF_EXECINSTR) != 0; }
  bool is_writable() const { return (flags & elf::SHF_WRITE) != 0; }
  bool is_alloc() const { return (flags & elf::SHF_ALLOC) != 0; }
  bool is_tls() const { return (flags & elf::SHF_TLS) != 0; }
};

enum class Binding : uint8_t { Local, Global, Weak };
enum class SymbolKind : uint8_t { NoType, Func, Object, Section, File, Tls };

struct Symbol {
  std::string name;
  // The defining section; nullopt for an undefined (external) symbol.
  std::optional<SectionIndex> section;
  uint64_t value = 0;           // offset within the section
  uint64_t size = 0;
  Binding binding = Binding::Local;
  SymbolKind kind = SymbolKind::NoType;
  bool absolute = false;        // SHN_ABS: value is an absolute number
  // SHN_COMMON (a C tentative definition): undefined until a linker gives it
  // `size` zeroed bytes aligned on `value`, unless a real definition wins.
  bool common = false;
  bool hidden = false;          // STV_HIDDEN/INTERNAL: global within a link, never exported

  bool defined() const { return section.has_value() || absolute; }
};

struct Relocation {
  SectionIndex section = 0;     // the section being patched
  uint64_t offset = 0;          // where, within that section
  uint32_t type = elf::R_X86_64_NONE;
  SymbolIndex symbol = 0;       // index into Object::symbols
  int64_t addend = 0;
};

// One entry of a `.loc` line table: code at `offset` in `section` comes from
// file `file` (index into Object::files), line `line`, column `column`.
struct LineEntry {
  SectionIndex section = 0;
  uint64_t offset = 0;
  uint32_t file = 0;
  uint32_t line = 0;
  uint32_t column = 0;
};

// A COMDAT section group: the first object of a link that brings a group
// called `signature` contributes its sections, later copies are dropped.
struct Group {
  std::string signature;
  std::vector<SectionIndex> sections;
};

struct Object {
  std::string name;             // unit name, for messages ("camlTOP3", "foo.o")
  std::vector<Section> sections;
  std::vector<Group> groups;    // COMDAT groups only
  std::vector<Symbol> symbols;
  std::vector<Relocation> relocations;
  std::vector<std::string> files;    // `.file N "name"` table, index N
  std::vector<LineEntry> lines;

  std::optional<SectionIndex> find_section(const std::string& section_name) const;
  std::optional<SymbolIndex> find_symbol(const std::string& symbol_name) const;
  // The section called `section_name`, created with the given attributes if absent.
  SectionIndex ensure_section(const std::string& section_name, uint32_t type, uint64_t flags,
                              uint64_t alignment);
  // The symbol called `symbol_name`, created undefined and local if absent.
  SymbolIndex ensure_symbol(const std::string& symbol_name);
};

}  // namespace ocamljit::obj
