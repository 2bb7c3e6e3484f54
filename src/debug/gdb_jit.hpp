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
// Room for an image of up to `bound` bytes (a library's: more than 64 KiB)
// in the memory the list keeps, for writing the image in place rather than
// copying it: nullptr without memory. Then either gdb_register_reserved,
// which links the image's first `size` bytes as gdb_register does, or
// gdb_release_reserved, which gives the room back.
uint8_t* gdb_reserve(size_t bound);
void gdb_register_reserved(uint8_t* room, size_t size, uint64_t key);
void gdb_release_reserved(uint8_t* room);
// Unlinks the images registered under `key`, tells gdb, frees them.
void gdb_unregister(uint64_t key);

}  // namespace ocamljit::debug
