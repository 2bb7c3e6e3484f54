// Compiled interfaces (.cmi, .cmx) packed into one read-only blob that is
// linked into an executable, so that a toplevel can type phrases without the
// OCaml installation. The packer (ocamljit-mktop, the build) writes the blob
// as a relocatable ELF object defining one symbol; the toplevel looks files
// up by name in the blob linked into it (see embedded()).
//
// Format (little-endian, offsets from the start of the blob):
//   0  magic "OCJCMIB1"        8  u64 total size     16 u32 entry count  20 u32 0
//   24 entries, 24 bytes each, sorted by name:
//      u32 name offset, u32 name length, u64 data offset, u64 data size
//   then the names, then each file's bytes (8-aligned).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "support/error.hpp"

namespace ocamljit::cmi_bundle {

// The symbol the packed object defines and the toplevel reads.
inline constexpr const char* kSymbol = "ocamljit_cmi_bundle";

struct File {
  std::string name;             // base name as the compiler looks it up: "stdlib__List.cmi"
  std::vector<uint8_t> bytes;
};

// The blob for `files`; two files with the same name are an error.
Result<std::vector<uint8_t>> pack(std::vector<File> files);

// A validated view of a blob (the memory is not owned).
class Bundle {
 public:
  // Checks every header, entry and bound: a damaged blob is an error, never a crash later.
  static Result<Bundle> open(std::span<const uint8_t> blob);

  std::optional<std::span<const uint8_t>> find(std::string_view name) const;
  std::vector<std::string> names() const;
  size_t count() const { return count_; }

 private:
  Bundle(std::span<const uint8_t> blob, size_t count) : blob_(blob), count_(count) {}
  std::string_view name_at(size_t i) const;
  std::span<const uint8_t> data_at(size_t i) const;

  std::span<const uint8_t> blob_;
  size_t count_ = 0;
};

// The blob as a relocatable ELF object: a read-only section holding it, with
// the global symbol kSymbol at its start.
Result<std::vector<uint8_t>> to_object(std::span<const uint8_t> blob);

// The blob linked into this executable: nullopt when none is (the symbol is
// weak), an error when it is damaged.
std::optional<Result<Bundle>> embedded();

}  // namespace ocamljit::cmi_bundle
