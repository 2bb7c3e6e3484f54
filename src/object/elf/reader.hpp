// ELF64 x86-64 relocatable objects (`.o` files made by GNU as, or members of
// `.a` archives) read into the object model. Every offset, index and size is
// checked: a malformed file gives an Error naming the object and the field.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "object/object.hpp"
#include "support/error.hpp"

namespace ocamljit::elf {

struct ReadOptions {
  // Only what a loader needs: sections that are not allocated (debug info,
  // notes, comments) keep their name and flags but neither contents nor
  // relocations.
  bool loadable_only = false;
};

// `name` is used in messages and becomes Object::name.
Result<obj::Object> read_relocatable(std::span<const uint8_t> bytes, const std::string& name,
                                     const ReadOptions& options = {});

// The bytes of the file at `path` (one read, sized by fstat).
Result<std::vector<uint8_t>> read_whole_file(const std::string& path);

// Reads the file at `path` and parses it.
Result<obj::Object> read_relocatable_file(const std::string& path);

}  // namespace ocamljit::elf
