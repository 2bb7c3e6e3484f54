// The in-memory linker: places an Object's allocatable sections in JIT
// memory, resolves its symbols and applies its relocations. Symbols resolve
// in this order: the unit itself, the units linked before it, then the
// outside world (the host executable, whose symbols are exported
// dynamically, and the shared libraries it has loaded).
//
// Linking is a pipeline of passes over one unit (as in LLVM's JITLink):
//   resolve  -> every referenced symbol gets an address or the link fails;
//   stubs    -> GOT slots for GOT-relative relocations whose target cannot be
//               reached PC-relatively (mov-through-GOT to a reachable target
//               is relaxed to lea), PLT stubs for calls out of ±2 GiB, GOT
//               pairs for general/local-dynamic TLS accesses;
//   layout   -> section and stub addresses, in one memory Transaction; the
//               SHF_TLS sections become the template of a TLS module
//               (link/tls.hpp) instead;
//   apply    -> relocations written with overflow checks;
//   collect  -> constructors (.init_array/.ctors, in ld's order) and the
//               .eh_frame address, for the caller to run / register;
//   commit   -> protections sealed, the unit's globals published.
// Several objects are linked as one unit by merging them first
// (link/group.hpp); link/library.hpp does that for whole libraries.
// A unit that fails at any step leaves no trace: no memory, no symbols.
#pragma once

#include <cstdint>
#include <functional>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "link/symbol_table.hpp"
#include "memory/memory.hpp"
#include "object/object.hpp"
#include "support/error.hpp"

namespace ocamljit::link {

// Looks a symbol up outside the JIT: nullopt if nobody defines it.
using ExternalResolver = std::function<std::optional<uint64_t>(const std::string&)>;

// dlsym(RTLD_DEFAULT, name): the executable, then the shared libraries.
ExternalResolver process_resolver();

// A sized function symbol of a unit; its name is LinkedUnit::name_of(range).
struct FunctionRange {
  uint32_t name_at = 0, name_size = 0;  // in LinkedUnit's name pool
  uint64_t address = 0, size = 0;
};

// What a unit asks of the loader beyond placing its sections.
struct LinkOptions {
  // Load `.eh_frame` (one section, zero-terminated, as merge_objects makes it)
  // and report its address, for `__register_frame`.
  bool unwind_info = false;
  // Consulted after the units linked before and before the process: the
  // shared libraries opened for this unit, searched by handle so that a
  // failed link can still close them (glibc makes a library found through
  // dlsym(RTLD_DEFAULT) impossible to unload).
  ExternalResolver group_resolver;
};

// The global symbols a unit defines: name -> address, sorted by name. A
// phrase defines about ten, a library thousands: one block of entries,
// searched by bisection, and one block of names, instead of a hash node and
// a string per symbol built per unit. Iterating yields (name, address) pairs.
class UnitGlobals {
  struct Entry {
    uint32_t name_at = 0, name_size = 0;  // in names_
    uint64_t address = 0;
  };

 public:
  using value_type = std::pair<std::string_view, uint64_t>;
  class const_iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = UnitGlobals::value_type;
    using difference_type = std::ptrdiff_t;
    using pointer = void;
    using reference = value_type;
    const_iterator() = default;
    const_iterator(const UnitGlobals* g, size_t i) : g_(g), i_(i) {}
    value_type operator*() const { return {g_->name(g_->entries_[i_]), g_->entries_[i_].address}; }
    const_iterator& operator++() {
      ++i_;
      return *this;
    }
    const_iterator operator++(int) {
      const_iterator old = *this;
      ++i_;
      return old;
    }
    bool operator==(const const_iterator& o) const { return i_ == o.i_; }

   private:
    const UnitGlobals* g_ = nullptr;
    size_t i_ = 0;
  };

  void reserve(size_t n) { entries_.reserve(n); }
  // Empty, keeping the memory (a LinkedUnit reused from unit to unit).
  void clear() {
    entries_.clear();
    names_.clear();
  }
  // Adds while the unit is built; `sort` makes it searchable.
  void add(std::string_view name, uint64_t address) {
    entries_.push_back(Entry{static_cast<uint32_t>(names_.size()), static_cast<uint32_t>(name.size()), address});
    names_.append(name);
  }
  // Sorts by name; of duplicates, the first added stays.
  void sort();

  const uint64_t* find(std::string_view name) const;
  size_t count(std::string_view name) const { return find(name) != nullptr ? 1 : 0; }
  uint64_t at(std::string_view name) const;  // throws std::out_of_range if absent
  size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }
  const_iterator begin() const { return {this, 0}; }
  const_iterator end() const { return {this, entries_.size()}; }

 private:
  std::string_view name(const Entry& e) const { return std::string_view(names_).substr(e.name_at, e.name_size); }
  std::vector<Entry> entries_;
  std::string names_;
};

struct LinkedUnit {
  std::string name;
  UnitGlobals globals;                                // global symbols it defines
  std::vector<FunctionRange> functions;               // sized function symbols, for profilers
  std::string function_names;                         // the pool of FunctionRange names
  memory::Range code;                                 // its code, stubs included
  std::vector<uint64_t> section_addresses;            // per Object section: run address, 0 if not loaded
  size_t bytes = 0;                                   // JIT memory it takes
  size_t got_slots = 0, plt_stubs = 0, relaxed = 0;
  uint64_t eh_frame = 0;                              // loaded .eh_frame (LinkOptions::unwind_info)
  // Constructors (.preinit_array, .init_array by priority, .ctors), in the
  // order they must run.
  std::vector<uint64_t> constructors;
  uint64_t tls_module = 0;                            // tls::add_module id, 0 if none
  std::unordered_map<std::string, uint64_t> tls_globals;  // global TLS symbol -> offset in the module

  std::string_view name_of(const FunctionRange& f) const {
    return std::string_view(function_names).substr(f.name_at, f.name_size);
  }
  void add_function(std::string_view function_name, uint64_t address, uint64_t size) {
    functions.push_back({static_cast<uint32_t>(function_names.size()), static_cast<uint32_t>(function_name.size()),
                         address, size});
    function_names.append(function_name);
  }
};

class Linker {
 public:
  Linker(memory::Memory& memory, ExternalResolver external);

  // Links and loads `object`. On success its globals are visible to later
  // units; on failure nothing changed.
  Result<LinkedUnit> link(const obj::Object& object, const LinkOptions& options = {});
  // The same into `out`, whose previous contents go and whose memory is
  // reused (a long-lived LinkedUnit for unit after unit: no allocation).
  // On failure `out` holds nothing usable.
  Status link(const obj::Object& object, const LinkOptions& options, LinkedUnit& out);

  // The unit's globals disappear from lookups (its memory stays: code may
  // still refer to it).
  void forget(const LinkedUnit& unit);
  // Drops remembered outside addresses: a shared library was closed.
  void forget_outside() { outside_cache_.clear(); }

  // Units linked so far, then the outside world.
  std::optional<uint64_t> lookup(const std::string& name) const;
  std::optional<uint64_t> lookup_linked(const std::string& name) const;

  // The undefined symbols that made the last link fail (empty otherwise).
  const std::vector<std::string>& last_undefined() const { return last_undefined_; }

  memory::Memory& memory() { return memory_; }

  // Unpublishes the globals of an unloaded unit: later units no longer see them.
  void forget(const std::vector<std::string>& names);

 private:
  // Builtins, then the outside world (what `lookup` consults after the units).
  std::optional<uint64_t> lookup_outside(const std::string& name) const;

  memory::Memory& memory_;
  ExternalResolver external_;
  SymbolTable symbols_;
  // Global thread-local variables of earlier units: (module, offset), the GOT
  // pair a general-dynamic access needs.
  std::unordered_map<std::string, std::pair<uint64_t, uint64_t>> tls_symbols_;
  // Outside symbols found so far (the process's symbols do not move).
  mutable SymbolTable outside_cache_;
  std::vector<std::string> last_undefined_;
  // Per-unit tables of `link`, kept from unit to unit for their memory.
  struct Placement {
    size_t offset = 0;
    bool placed = false;
  };
  struct Scratch {
    std::vector<std::optional<uint64_t>> outside;  // per symbol: its address outside the unit
    std::vector<bool> relax;                       // per relocation: GOT load relaxed to lea
    std::vector<Placement> place;                  // per section
    std::vector<uint8_t> loaded;                   // per section: placed in memory (is_loaded)
  };
  Scratch scratch_;
};

// Name of an x86-64 relocation type, for messages ("R_X86_64_PC32").
std::string relocation_name(uint32_t type);

}  // namespace ocamljit::link
