// One fuzz input through the library linker's pipeline: archive or object
// read, merged as a link group, linked in memory (nothing run). Shared by the
// libFuzzer target and its regression test.
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

#include "link/group.hpp"
#include "link/linker.hpp"
#include "object/elf/archive.hpp"
#include "object/elf/reader.hpp"

namespace ocamljit::fuzz {

// The error, or "" when the input linked.
inline std::string link_fuzz_input(link::Linker& linker, std::span<const uint8_t> bytes) {
  std::vector<obj::Object> objects;
  // Both reading modes: everything (#load of a .cmx) or loadable parts only (libraries).
  const elf::ReadOptions reading{.loadable_only = bytes.size() % 2 == 0};
  if (bytes.size() >= 8 && std::memcmp(bytes.data(), "!<arch>\n", 8) == 0) {
    // The symbol index too (C archives' members are chosen through it).
    auto listing = elf::list_archive(bytes, "fuzz.a");
    if (!listing) return listing.error().message;
    auto members = elf::read_archive(bytes, "fuzz.a", reading);
    if (!members) return members.error().message;
    objects = std::move(*members);
  } else {
    auto o = elf::read_relocatable(bytes, "fuzz.o", reading);
    if (!o) return o.error().message;
    objects.push_back(std::move(*o));
  }
  auto merged = link::merge_objects(std::move(objects), "fuzz", {});
  if (!merged) return merged.error().message;
  link::LinkOptions options;
  options.unwind_info = true;
  auto linked = linker.link(merged->object, options);
  if (!linked) return linked.error().message;
  linker.forget(*linked);
  return "";
}

// Outside symbols resolve to `anywhere` unless their name starts with 'u':
// both paths get exercised.
inline link::ExternalResolver fuzz_resolver(uint64_t anywhere) {
  return [anywhere](const std::string& name) -> std::optional<uint64_t> {
    if (!name.empty() && name[0] == 'u') return std::nullopt;
    return anywhere;
  };
}

}  // namespace ocamljit::fuzz
