// The GDB JIT interface (gdb manual, "JIT Compilation Interface"): gdb puts
// a breakpoint on __jit_debug_register_code and, when it is hit, reads the
// entry __jit_debug_descriptor.relevant_entry points at: an in-memory
// object file. Names and layouts are fixed by gdb; they must stay C symbols.
#include <sys/mman.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <new>

#include "debug/gdb_jit.hpp"

extern "C" {

enum jit_actions_t : uint32_t { JIT_NOACTION = 0, JIT_REGISTER_FN, JIT_UNREGISTER_FN };

struct jit_code_entry {
  jit_code_entry* next_entry;
  jit_code_entry* prev_entry;
  const char* symfile_addr;
  uint64_t symfile_size;
};

struct jit_descriptor {
  uint32_t version;
  uint32_t action_flag;
  jit_code_entry* relevant_entry;
  jit_code_entry* first_entry;
};

// gdb breaks here; the asm keeps the call from being optimised away.
__attribute__((noinline, used, visibility("default"))) void __jit_debug_register_code() {
  __asm__ __volatile__("" ::: "memory");
}

__attribute__((used, visibility("default"))) jit_descriptor __jit_debug_descriptor = {1, JIT_NOACTION, nullptr, nullptr};

}  // extern "C"

namespace ocamljit::debug {
namespace {

// Images are kept in chunks of their own mapping: one system call per chunk
// (a few hundred units), not a heap block per image. A chunk starts with its
// header and goes when its last image is unregistered (unless it is the one
// being filled); an image too big for a chunk (a library's) gets a chunk of
// its own. Chunks grow from 64 KiB (a short session maps little) to 512 KiB
// and are populated when mapped: the ~0.4 fresh pages of images a tiny
// phrase needs otherwise cost a page fault each at first write (~0.9 us of
// its registration; one zeroing pass per chunk instead). 4 KiB pages: huge
// pages were seen to stall single phrases for milliseconds (compaction).
struct Chunk {
  size_t size = 0, used = 0;
  size_t live = 0;  // images in it, still registered
};
constexpr size_t kFirstChunkBytes = size_t{64} << 10, kChunkBytes = size_t{512} << 10;
constexpr size_t kAlign = alignof(std::max_align_t);
constexpr size_t kHeader = (sizeof(Chunk) + kAlign - 1) & ~(kAlign - 1);
Chunk* filling = nullptr;

// One block per unit: the descriptor's list entry, then the image it
// points at. The descriptor's doubly-linked list is the registry.
struct Registered {
  jit_code_entry entry{};
  uint64_t key = 0;
  Chunk* chunk = nullptr;
  uint8_t* image() { return reinterpret_cast<uint8_t*>(this + 1); }
};
static_assert(alignof(Registered) <= kAlign);

size_t registered_count = 0;

Chunk* map_chunk(size_t bytes) {
  void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
  if (p == MAP_FAILED) return nullptr;
  return new (p) Chunk{bytes, kHeader, 0};
}

void unmap_chunk(Chunk* c) { munmap(c, c->size); }

Registered* place(Chunk* c, size_t bytes) {
  auto* r = new (reinterpret_cast<uint8_t*>(c) + c->used) Registered;
  c->used += bytes;
  ++c->live;
  r->chunk = c;
  return r;
}

// The bytes a Registered and its `size`-byte image take in a chunk.
size_t registered_bytes(size_t size) { return (sizeof(Registered) + size + kAlign - 1) & ~(kAlign - 1); }

// Whether such a block gets a chunk of its own (a library's image).
bool own_chunk(size_t bytes) { return bytes > kChunkBytes / 8; }

// Room for a Registered and its `size`-byte image; nullptr without memory.
Registered* allocate_registered(size_t size) {
  const size_t bytes = registered_bytes(size);
  if (own_chunk(bytes)) {
    Chunk* own = map_chunk(kHeader + bytes);
    return own != nullptr ? place(own, bytes) : nullptr;
  }
  if (filling == nullptr || filling->used + bytes > filling->size) {
    const size_t chunk_bytes = filling == nullptr ? kFirstChunkBytes : std::min(2 * filling->size, kChunkBytes);
    Chunk* fresh = map_chunk(chunk_bytes);
    if (fresh == nullptr) return nullptr;
    if (filling != nullptr && filling->live == 0) unmap_chunk(filling);
    filling = fresh;
  }
  return place(filling, bytes);
}

void release(Registered* r) {
  Chunk* c = r->chunk;
  r->~Registered();
  if (--c->live == 0 && c != filling) unmap_chunk(c);
}

void notify(jit_code_entry* entry, jit_actions_t action) {
  __jit_debug_descriptor.relevant_entry = entry;
  __jit_debug_descriptor.action_flag = action;
  __jit_debug_register_code();
  __jit_debug_descriptor.action_flag = JIT_NOACTION;
}

void link_in(Registered* r, size_t size, uint64_t key) {
  r->key = key;
  r->entry.symfile_addr = reinterpret_cast<const char*>(r->image());
  r->entry.symfile_size = size;
  r->entry.next_entry = __jit_debug_descriptor.first_entry;
  if (r->entry.next_entry != nullptr) r->entry.next_entry->prev_entry = &r->entry;
  __jit_debug_descriptor.first_entry = &r->entry;
  ++registered_count;
  notify(&r->entry, JIT_REGISTER_FN);
}

Registered* registered_of(uint8_t* room) { return reinterpret_cast<Registered*>(room) - 1; }

}  // namespace

bool gdb_register(const uint8_t* image, size_t size, uint64_t key) {
  Registered* r = allocate_registered(size);
  if (r == nullptr) return false;
  std::memcpy(r->image(), image, size);
  link_in(r, size, key);
  return true;
}

uint8_t* gdb_reserve(size_t bound) {
  // Only where allocate_registered maps a chunk of its own: the room's
  // unused tail is then pages nobody touches.
  if (!own_chunk(registered_bytes(bound))) return nullptr;
  Registered* r = allocate_registered(bound);
  return r != nullptr ? r->image() : nullptr;
}

void gdb_register_reserved(uint8_t* room, size_t size, uint64_t key) { link_in(registered_of(room), size, key); }

void gdb_release_reserved(uint8_t* room) { release(registered_of(room)); }

void gdb_unregister(uint64_t key) {
  if (key == 0) return;
  // Newest first: unloading goes newest first too.
  for (jit_code_entry* e = __jit_debug_descriptor.first_entry; e != nullptr;) {
    auto* r = reinterpret_cast<Registered*>(e);  // entry is Registered's first member
    jit_code_entry* next = e->next_entry;
    if (r->key == key) {
      if (e->prev_entry != nullptr) e->prev_entry->next_entry = e->next_entry;
      else __jit_debug_descriptor.first_entry = e->next_entry;
      if (e->next_entry != nullptr) e->next_entry->prev_entry = e->prev_entry;
      // gdb reads the entry's image when told, so it is freed only after.
      notify(e, JIT_UNREGISTER_FN);
      release(r);
      --registered_count;
    }
    e = next;
  }
}

size_t gdb_registered_units() { return registered_count; }

}  // namespace ocamljit::debug
