// Native libraries linked in memory as one group: an OCaml library's `.a`
// (every member: they are its units) with the C objects its `.cmxa` asks for
// (`lib_ccobjs @ lib_ccopts`: "-lzarith", "-L/dir", "-lgmp", "/p/x.o").
//
//   -lX      libX.a in the -L dirs, then the given search dirs: a C archive,
//            of which only the members that define a symbol still undefined
//            are parsed and linked, found through the archive's symbol
//            index, the first such member winning (to a fixed point, as ld
//            does with --start-group);
//            else libX.so (an ELF file, not a linker script) in those dirs;
//            else a system shared library (libX.so, or libX.so.N when only
//            the runtime package is installed) from the dynamic loader's
//            directories. Shared libraries are opened with
//            dlopen(RTLD_NOW | RTLD_GLOBAL), the only dlopen (nothing we
//            wrote is ever a shared object); else a system libX.a, linked in
//            memory.
//            -lc, -lm, -ldl, -lpthread, -lrt are in the process already.
//   x.o      linked whole; x.a: a C archive as above.
// Symbols already defined by the process or by earlier JIT units are not
// searched for in archives. The group is merged (link/group.hpp) and linked
// as one unit with its `.eh_frame` registered with libgcc's unwinder. On any
// failure nothing stays: no memory, no symbol, shared libraries closed.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "link/linker.hpp"
#include "support/error.hpp"

namespace ocamljit::link {

struct LibraryRequest {
  std::vector<std::string> ocaml_objects;  // .a (every member, in order) or .o
  std::vector<std::string> c_args;         // as in lib_ccobjs @ lib_ccopts
  std::vector<std::string> search_dirs;    // the cmxa's directory, the stdlib dir, ...
  // Files given as bytes rather than read from disk (a bundle in the
  // executable), by name: an `ocaml_objects` or `c_args` entry of that name
  // is read from here, and so is `-lX` when "libX.a" is here (before any
  // directory). The bytes must outlive the link.
  std::unordered_map<std::string, std::span<const uint8_t>> memory_files = {};
};

struct LibraryTimings {
  int64_t read_ns = 0;  // reading and parsing archives, resolving -l, choosing members
  int64_t link_ns = 0;  // merging, layout, relocation, protections, unwind registration
};

class LibraryLinker {
 public:
  explicit LibraryLinker(Linker& linker) : linker_(linker) {}
  LibraryLinker(const LibraryLinker&) = delete;
  LibraryLinker& operator=(const LibraryLinker&) = delete;
  ~LibraryLinker();

  // Links the library; on success returns its handle (>= 1). Constructors
  // have not run yet: the caller registers the OCaml units first.
  Result<int> link(const LibraryRequest& request);
  const LinkedUnit& unit(int handle) const;
  // Runs the C constructors of `handle` (once; later calls do nothing).
  void run_constructors(int handle);
  // The library's global symbols disappear from lookups; memory stays.
  void forget(int handle);

  // The undefined symbols that made the last link fail (empty otherwise).
  const std::vector<std::string>& last_undefined() const { return linker_.last_undefined(); }
  const LibraryTimings& last_timings() const { return timings_; }
  // The merged object of the last successful link, for the debugger
  // registration (debug::on_unit_loaded); empty once taken or after a
  // failed link. Taking it frees it with the caller.
  std::optional<obj::Object> take_last_object() { return std::exchange(last_object_, std::nullopt); }

 private:
  struct Library {
    LinkedUnit unit;
    std::vector<void*> shared;  // dlopen handles (kept: code may use them)
    std::vector<std::string> comdats;  // COMDAT groups it brought
    bool constructed = false;
  };
  Linker& linker_;
  std::vector<Library> libraries_;
  std::unordered_set<std::string> comdats_;
  LibraryTimings timings_;
  std::optional<obj::Object> last_object_;
};

// Where `-lname` comes from (exposed for tests).
struct LibrarySource {
  enum Kind { InProcess, Archive, Shared } kind = InProcess;
  std::string path;
};
// `dirs`: the -L and library dirs; `system`: the dynamic loader's dirs
// (from /etc/ld.so.conf and the defaults when not given).
Result<LibrarySource> find_library(const std::string& name, const std::vector<std::string>& dirs);
Result<LibrarySource> find_library(const std::string& name, const std::vector<std::string>& dirs,
                                   const std::vector<std::string>& system);

}  // namespace ocamljit::link
