// Room-internal: the perf jitdump file of this process (jitdump.cpp).
#pragma once

#include "link/linker.hpp"
#include "object/object.hpp"

namespace ocamljit::debug {

// OCAMLJIT_PERF=jitdump (read once).
bool jitdump_enabled();
// Appends DEBUG_INFO and CODE_LOAD records for the unit's functions to
// $OCAMLJIT_JITDUMP_DIR/jit-PID.dump (default /tmp), created on first use.
void jitdump_write(const obj::Object& object, const link::LinkedUnit& linked);

}  // namespace ocamljit::debug
