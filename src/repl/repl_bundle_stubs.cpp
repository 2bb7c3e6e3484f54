// The REPL's libraries packed into ocamljit (mk/repl.mk: a tar archive made
// into an object whose bytes sit between the two symbols below), and the
// terminal test that decides whether they are needed (ocamljit-mktop links the
// same object into its toplevels). The symbols are weak: a toplevel without
// the bundle sees an empty array.
#include <caml/alloc.h>
#include <caml/bigarray.h>
#include <caml/mlvalues.h>
#include <unistd.h>

#include <cstddef>

extern "C" {

[[gnu::weak]] extern const char ocamljit_repl_bundle_start[];
[[gnu::weak]] extern const char ocamljit_repl_bundle_end[];

// The bundle's bytes in place, as a char bigarray over the executable's
// read-only data (external: the GC never frees or moves them; nothing
// writes to them, the pages are read-only).
value ocamljit_repl_bundle(value /*unit*/) {
  static char none[1];
  const bool linked = ocamljit_repl_bundle_start != nullptr && ocamljit_repl_bundle_end != nullptr;
  const auto size = linked ? static_cast<intnat>(ocamljit_repl_bundle_end - ocamljit_repl_bundle_start) : 0;
  void* data = linked ? const_cast<char*>(ocamljit_repl_bundle_start) : none;
  const int flags = static_cast<int>(CAML_BA_UINT8) | static_cast<int>(CAML_BA_C_LAYOUT) |
                    static_cast<int>(CAML_BA_EXTERNAL);
  return caml_ba_alloc_dims(flags, 1, data, size);
}

// Whether both standard input and standard output are terminals.
value ocamljit_repl_on_terminals(value /*unit*/) {
  return Val_bool(isatty(STDIN_FILENO) == 1 && isatty(STDOUT_FILENO) == 1);
}

}  // extern "C"
