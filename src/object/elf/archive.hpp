// `ar` archives (the `.a` next to a `.cmxa`, C stub archives): the member
// objects, in archive order, read with the ELF reader. `list_archive` also
// reads the GNU symbol index (the `/` or `/SYM64/` member), so that a linker
// choosing members by the symbols they define parses only those.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "object/elf/reader.hpp"
#include "object/object.hpp"
#include "support/error.hpp"

namespace ocamljit::elf {

struct ArchiveMember {
  std::string name;                // "member.o" (long names resolved)
  std::span<const uint8_t> bytes;  // its contents, a view into the archive
};

struct ArchiveListing {
  std::vector<ArchiveMember> members;  // in archive order
  bool has_index = false;              // the archive has a symbol index
  // Symbol index: defined global symbol -> the first member (index into
  // `members`) that the index says defines it. Views into the archive bytes.
  std::unordered_map<std::string_view, size_t> index;
};

// The members and (with `want_index`) symbol index of the archive `bytes`
// (which must outlive the listing); `name` names it in messages.
Result<ArchiveListing> list_archive(std::span<const uint8_t> bytes, const std::string& name,
                                    bool want_index = true);

// Each member's Object::name is "archive(member.o)".
Result<std::vector<obj::Object>> read_archive(std::span<const uint8_t> bytes, const std::string& name,
                                              const ReadOptions& options = {});
Result<std::vector<obj::Object>> read_archive_file(const std::string& path);

}  // namespace ocamljit::elf
