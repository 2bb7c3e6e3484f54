// Thread-local storage for JIT-linked C code. The process's own TLS (the
// static block and glibc's dynamic modules) cannot take new modules, so each
// link group with `.tdata`/`.tbss` becomes a module of ours: its template is
// kept here, every thread gets its copy on first access, and code reaches it
// through the general- and local-dynamic sequences, whose `__tls_get_addr`
// calls the Linker binds to `ocamljit_tls_get_addr` below. GOT pairs hold
// (our module id, offset in the block) instead of glibc's (dtv index, offset).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace ocamljit::link::tls {

struct Image {
  std::vector<uint8_t> init;  // .tdata contents; the rest of `size` is zero (.tbss)
  uint64_t size = 0;
  uint64_t align = 1;
};

// Registers a module template; the id goes in GOT pairs (never 0, never reused).
uint64_t add_module(Image image);
// Drops a module no code can reach (its link failed).
void remove_module(uint64_t id);
// Modules registered and not removed.
size_t module_count();

}  // namespace ocamljit::link::tls

// `__tls_get_addr` for our modules: argument is a pointer to a GOT pair.
extern "C" void* ocamljit_tls_get_addr(const uint64_t* pair);
