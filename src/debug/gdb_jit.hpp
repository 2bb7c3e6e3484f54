// Room-internal: hands a unit's debug image to gdb (gdb_jit.cpp).
#pragma once

#include <cstdint>
#include <vector>

namespace ocamljit::debug {

// Links `image` into the GDB JIT descriptor's list and notifies gdb; the
// image is kept alive from then on.
void gdb_register(std::vector<uint8_t> image);

}  // namespace ocamljit::debug
