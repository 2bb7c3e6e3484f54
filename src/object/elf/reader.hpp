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

// The bytes of a file (the archives of a library, megabytes each), mapped
// read-only with their pages populated up front: the page cache's own pages,
// neither copied nor cleared. A file truncated by someone else while it is
// mapped would fault on access (SIGBUS): a handler puts zero pages where the
// file's vanished, the parse sees them as any other bad bytes, and `intact`
// says false, for one clear message. Without a slot for that guard (dozens
// of files mapped at once) or without a mapping, the file is read instead,
// into fresh pages.
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
  // False once part of the file vanished under the mapping (its bytes read
  // as zeros): the file changed while it was read.
  bool intact() const;

 private:
  friend Result<FileBytes> read_file_bytes(const std::string& path);
  void swap(FileBytes& other) noexcept {
    std::swap(data_, other.data_);
    std::swap(size_, other.size_);
    std::swap(mapped_, other.mapped_);
    std::swap(guard_, other.guard_);
  }
  uint8_t* data_ = nullptr;
  size_t size_ = 0;
  size_t mapped_ = 0;  // bytes of the mapping (0: none)
  int guard_ = -1;     // its slot in the SIGBUS guard (-1: an anonymous copy, nothing to guard)
};

Result<FileBytes> read_file_bytes(const std::string& path);

// Reads the file at `path` and parses it.
Result<obj::Object> read_relocatable_file(const std::string& path);

}  // namespace ocamljit::elf
