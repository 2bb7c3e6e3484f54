// The OCaml runtime's defaults for a toplevel executable, set before the
// runtime starts (OCAMLRUNPARAM still overrides them): start-up runs the
// initialisers of the whole compiler and types the first phrase, and with the
// default 256k-word minor heap spends a tenth of its time in minor
// collections promoting data that lives for the whole session anyway.
// Linked by name (-u ocamljit_toplevel_runtime_defaults): nothing calls it.
#include <cstdint>

extern "C" {
extern uintptr_t caml_init_minor_heap_wsz;
extern const int ocamljit_toplevel_runtime_defaults;
}

namespace {

// Compiler_api.minor_heap_words: the same size, so that configuring the GC for phrases does not
// resize the heap (a forced minor collection) after start-up.
constexpr uintptr_t kMinorHeapWords = uintptr_t{1} << 20;  // 8 MiB

[[gnu::constructor]] void set_runtime_defaults() { caml_init_minor_heap_wsz = kMinorHeapWords; }

}  // namespace

// The symbol the link asks for, to pull this object out of the archive.
extern "C" const int ocamljit_toplevel_runtime_defaults = 1;
