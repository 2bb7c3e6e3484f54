// `ar` archives (the `.a` next to a `.cmxa`): the member objects, in archive
// order, read with the ELF reader. The archive's symbol index is ignored.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "object/elf/reader.hpp"
#include "object/object.hpp"
#include "support/error.hpp"

namespace ocamljit::elf {

// Each member's Object::name is "archive(member.o)".
Result<std::vector<obj::Object>> read_archive(std::span<const uint8_t> bytes, const std::string& name,
                                              const ReadOptions& options = {});
Result<std::vector<obj::Object>> read_archive_file(const std::string& path);

}  // namespace ocamljit::elf
