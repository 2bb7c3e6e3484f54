// Room-internal: hands a unit's debug image to gdb (gdb_jit.cpp).
#pragma once

#include <cstdint>
#include <vector>

namespace ocamljit::debug {

// Links `image` into the GDB JIT descriptor's list and notifies gdb; the
// image is kept alive until gdb_unregister(key) (`key`: the unit's code
// start, 0 for an image that stays).
void gdb_register(std::vector<uint8_t> image, uint64_t key);
// Unlinks the images registered under `key`, tells gdb, frees them.
void gdb_unregister(uint64_t key);

}  // namespace ocamljit::debug
