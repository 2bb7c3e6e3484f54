// Room-internal: hands a unit's debug image to gdb (gdb_jit.cpp).
#pragma once

#include <cstddef>
#include <cstdint>

namespace ocamljit::debug {

// Links a copy of `image` (`size` bytes) into the GDB JIT descriptor's list
// and notifies gdb; the copy is kept until gdb_unregister(key) (`key`: the
// unit's code start, 0 for an image that stays). False (nothing registered)
// when no memory could be had for the copy.
bool gdb_register(const uint8_t* image, size_t size, uint64_t key);
// Unlinks the images registered under `key`, tells gdb, frees them.
void gdb_unregister(uint64_t key);

}  // namespace ocamljit::debug
