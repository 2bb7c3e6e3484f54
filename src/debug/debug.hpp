// Debugger and profiler visibility of JIT code. Every unit the JIT loads is
//  - registered with gdb through the GDB JIT interface (__jit_debug_descriptor,
//    __jit_debug_register_code) as a small in-memory ELF object: its symbols
//    at their run addresses, its unwind table (.eh_frame) and a DWARF line
//    table (.debug_line) built from the assembler's `.loc` table;
//  - appended to a perf jitdump file (jit-PID.dump) when OCAMLJIT_PERF=jitdump.
// The loader calls on_unit_loaded once per unit (a phrase, or a library's
// merged group), after linking and before the unit runs, and
// on_unit_unloaded when an embedding session unloads it; the rest of this header is the pieces, for tests.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "link/linker.hpp"
#include "object/object.hpp"
#include "support/error.hpp"

namespace ocamljit::debug {

// Registers `linked` (linked from `object`) with gdb and, if asked, perf.
// Never fails the load: a unit that cannot be described is left out, with
// one message on stderr.
void on_unit_loaded(const obj::Object& object, const link::LinkedUnit& linked);
// The unit whose code started at `code_start` (its LinkedUnit::code.lo) was
// unloaded: its gdb entry goes (before its memory is reused).
void on_unit_unloaded(uint64_t code_start);

// The ELF image gdb reads for a unit: a relocatable object whose allocated
// sections carry their run addresses in sh_addr (SHT_NOBITS: gdb reads code
// from the process), with .symtab, .eh_frame, .debug_abbrev/.debug_info/.debug_line.
// `comp_dir` resolves relative source file names.
Result<std::vector<uint8_t>> build_debug_image(const obj::Object& object, const link::LinkedUnit& linked,
                                               const std::string& comp_dir);
// The same image written into `storage` (grown as needed, its memory reused
// from unit to unit): the image is its first `size` bytes.
struct ImageView {
  const uint8_t* data = nullptr;
  size_t size = 0;
};
Result<ImageView> write_debug_image(const obj::Object& object, const link::LinkedUnit& linked,
                                    std::string_view comp_dir, std::vector<uint8_t>& storage);

// The same written into `room` (`capacity` bytes) when it fits there, else
// into `storage`: the view says which.
Result<ImageView> write_debug_image(const obj::Object& object, const link::LinkedUnit& linked,
                                    std::string_view comp_dir, std::vector<uint8_t>& storage, uint8_t* room,
                                    size_t capacity);
// An estimate of the image's size, generous: what a room should hold.
size_t debug_image_bound(const obj::Object& object, const link::LinkedUnit& linked, std::string_view comp_dir);

// One row of a unit's line table, at its run address.
struct LineRow {
  uint64_t address = 0;
  uint32_t file = 0, line = 0, column = 0;
};
// The unit's `.loc` rows at run addresses, sorted by address (rows in
// sections that were not loaded are dropped).
std::vector<LineRow> line_rows(const obj::Object& object, const link::LinkedUnit& linked);
// The same into `rows` (cleared first; its memory reused).
void line_rows(const obj::Object& object, const link::LinkedUnit& linked, std::vector<LineRow>& rows);

// Number of units currently registered with the GDB JIT interface.
size_t gdb_registered_units();

// perf jitdump (tools/perf/Documentation/jitdump-specification.txt).
namespace jitdump {
inline constexpr uint32_t kMagic = 0x4A695444;  // "JiTD" as written by a little-endian host
inline constexpr uint32_t kVersion = 1;
inline constexpr uint32_t kCodeLoad = 0, kCodeMove = 1, kDebugInfo = 2, kCodeClose = 3, kUnwindingInfo = 4;
}  // namespace jitdump

}  // namespace ocamljit::debug
