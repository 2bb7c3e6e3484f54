// Phase timings of the JIT loader, kept by jit_stubs.cpp for the last unit
// and read from OCaml by `Jit_loader.last_timings`.
#pragma once

#include <cstdint>

namespace ocamljit::runtime {

struct Timings {
  int64_t assemble_ns = 0;  // IR decode + assembly (or ELF read, with GNU as objects)
  int64_t link_ns = 0;      // layout, stubs, relocations, protections
  int64_t register_ns = 0;  // frametable, GC roots, static data, code fragment
};

Timings timings();

}  // namespace ocamljit::runtime
