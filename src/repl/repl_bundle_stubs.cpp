// The REPL's libraries packed into ocamljit (mk/repl.mk: a tar archive made
// into an object whose bytes sit between the two symbols below), and the
// terminal test that decides whether they are needed. The symbols are weak:
// a toplevel without the bundle (ocamljit-mktop's, which links the REPL in)
// sees an empty string.
#include <caml/alloc.h>
#include <caml/mlvalues.h>
#include <unistd.h>

#include <cstddef>

extern "C" {

[[gnu::weak]] extern const char ocamljit_repl_bundle_start[];
[[gnu::weak]] extern const char ocamljit_repl_bundle_end[];

value ocamljit_repl_bundle(value /*unit*/) {
  if (ocamljit_repl_bundle_start == nullptr || ocamljit_repl_bundle_end == nullptr)
    return caml_alloc_initialized_string(0, "");
  const auto size = static_cast<mlsize_t>(ocamljit_repl_bundle_end - ocamljit_repl_bundle_start);
  return caml_alloc_initialized_string(size, ocamljit_repl_bundle_start);
}

// Whether both standard input and standard output are terminals.
value ocamljit_repl_on_terminals(value /*unit*/) {
  return Val_bool(isatty(STDIN_FILENO) == 1 && isatty(STDOUT_FILENO) == 1);
}

}  // extern "C"
