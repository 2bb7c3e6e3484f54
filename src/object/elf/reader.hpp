// ELF64 x86-64 relocatable objects (`.o` files made by GNU as, or members of
// `.a` archives) read into the object model. Every offset, index and size is
// checked: a malformed file gives an Error naming the object and the field.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <utility>
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

// The bytes of a file, read (not mapped: a file truncated meanwhile cannot
// fault later) into private memory whose pages are populated in one go and
// never zero-filled by us: for the archives of a library, megabytes each.
class FileBytes {
 public:
  FileBytes() = default;
  FileBytes(FileBytes&& other) noexcept { swap(other); }
  FileBytes& operator=(FileBytes&& other) noexcept {
    FileBytes moved(std::move(other));
    swap(moved);
    return *this;
  }
  FileBytes(const FileBytes&) = delete;
  FileBytes& operator=(const FileBytes&) = delete;
  ~FileBytes();

  std::span<const uint8_t> bytes() const { return {data_, size_}; }

 private:
  friend Result<FileBytes> read_file_bytes(const std::string& path);
  void swap(FileBytes& other) noexcept {
    std::swap(data_, other.data_);
    std::swap(size_, other.size_);
    std::swap(mapped_, other.mapped_);
  }
  uint8_t* data_ = nullptr;
  size_t size_ = 0;
  size_t mapped_ = 0;  // bytes of the anonymous mapping (0: none)
};

Result<FileBytes> read_file_bytes(const std::string& path);

// Reads the file at `path` and parses it.
Result<obj::Object> read_relocatable_file(const std::string& path);

}  // namespace ocamljit::elf
