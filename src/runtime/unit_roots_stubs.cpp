// GC roots of JIT units (unit_roots.hpp): the runtime side.
#define CAML_INTERNALS
// Some 4.13 runtime headers (address_class.h) lack C++ guards.
extern "C" {
#include <caml/address_class.h>
#include <caml/memory.h>
#include <caml/minor_gc.h>
#include <caml/mlvalues.h>
#include <caml/roots.h>
#include <caml/stack.h>
}

#include <algorithm>
#include <cstddef>
#include <vector>

#include "runtime/unit_roots.hpp"

namespace ocamljit::runtime::unit_roots {
namespace {

// The blocks of the units whose entry is running (nested only when a phrase
// runs phrases), then 0: registered once as one dynamic global, so every
// collection scans them.
constexpr size_t kRunning = 256;
value running[kRunning + 1] = {0};
size_t running_count = 0;
bool running_registered = false;

// The blocks of units whose entry has returned: visited by major collections.
std::vector<value> settled;

void (*previous_hook)(scanning_action) = nullptr;

void scan_settled(scanning_action action) {
  if (previous_hook != nullptr) previous_hook(action);
  // A minor collection: the remembered set holds every young pointer of a
  // settled block (see settle), as for the executable's own module blocks.
  if (action == caml_oldify_one) return;
  for (value block : settled)
    for (mlsize_t j = 0; j < Wosize_val(block); ++j) action(Field(block, j), &Field(block, j));
}

}  // namespace

void add(void* gc_roots) {
  auto* table = static_cast<value*>(gc_roots);
  size_t count = 0;
  while (table[count] != 0) ++count;
  if (running_count + count > kRunning) {
    caml_register_dyn_global(gc_roots);  // deeply nested: the runtime's own way
    return;
  }
  if (!running_registered) {
    caml_register_dyn_global(running);
    previous_hook = caml_scan_roots_hook;
    caml_scan_roots_hook = scan_settled;
    running_registered = true;
  }
  for (size_t i = 0; i < count; ++i) running[running_count++] = table[i];
  running[running_count] = 0;
}

void settle(void* gc_roots) {
  for (auto* g = static_cast<value*>(gc_roots); *g != 0; ++g) {
    value* end = running + running_count;
    value* at = std::find(running, end, *g);
    if (at == end) continue;
    std::copy(at + 1, end + 1, at);  // keeps the terminating 0
    --running_count;
    const value block = *g;
    // Young values go to the remembered set, as caml_modify puts them there
    // for a store into an old block (the block is never young: static data).
    for (mlsize_t j = 0; j < Wosize_val(block); ++j) {
      const value v = Field(block, j);
      if (Is_block(v) && Is_young(v)) {
        Field(block, j) = Val_unit;
        caml_modify(&Field(block, j), v);
      }
    }
    settled.push_back(block);
  }
}

void forget(void* gc_roots) {
  for (auto* g = static_cast<value*>(gc_roots); *g != 0; ++g) {
    value* end = running + running_count;
    if (value* at = std::find(running, end, *g); at != end) {
      std::copy(at + 1, end + 1, at);
      --running_count;
    }
    settled.erase(std::remove(settled.begin(), settled.end(), *g), settled.end());
  }
}

}  // namespace ocamljit::runtime::unit_roots
