// ELF64 x86-64 relocatable objects (`.o` files made by GNU as, or members of
// `.a` archives) read into the object model. Every offset, index and size is
// checked: a malformed file gives an Error naming the object and the field.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "object/object.hpp"
#include "support/error.hpp"

namespace ocamljit::elf {

// `name` is used in messages and becomes Object::name.
Result<obj::Object> read_relocatable(std::span<const uint8_t> bytes, const std::string& name);

// Reads the file at `path` and parses it.
Result<obj::Object> read_relocatable_file(const std::string& path);

}  // namespace ocamljit::elf
