// ELF writer: an Object to a relocatable ELF64 x86-64 file (what `as`
// writes), accepted by ld, objdump and readelf.
#pragma once

#include <cstdint>
#include <vector>

#include "object/object.hpp"
#include "support/error.hpp"

namespace ocamljit::elf {

// Layout follows GNU as: each section is followed by its `.rela` section,
// then .symtab, .strtab, .shstrtab; local symbols come first in .symtab.
Result<std::vector<uint8_t>> write_relocatable(const obj::Object& object);

}  // namespace ocamljit::elf
