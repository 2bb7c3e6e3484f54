// The GDB JIT interface (gdb manual, "JIT Compilation Interface"): gdb puts
// a breakpoint on __jit_debug_register_code and, when it is hit, reads the
// entry __jit_debug_descriptor.relevant_entry points at: an in-memory
// object file. Names and layouts are fixed by gdb; they must stay C symbols.
#include <cstdint>
#include <list>
#include <memory>

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

struct Registered {
  jit_code_entry entry{};
  std::vector<uint8_t> image;
  uint64_t key = 0;
};

// Images stay registered (and alive) until their unit is unloaded.
std::list<std::unique_ptr<Registered>>& registry() {
  static std::list<std::unique_ptr<Registered>> r;
  return r;
}

void notify(jit_code_entry* entry, jit_actions_t action) {
  __jit_debug_descriptor.relevant_entry = entry;
  __jit_debug_descriptor.action_flag = action;
  __jit_debug_register_code();
  __jit_debug_descriptor.action_flag = JIT_NOACTION;
}

}  // namespace

void gdb_register(std::vector<uint8_t> image, uint64_t key) {
  auto r = std::make_unique<Registered>();
  r->key = key;
  r->image = std::move(image);
  r->entry.symfile_addr = reinterpret_cast<const char*>(r->image.data());
  r->entry.symfile_size = r->image.size();
  r->entry.next_entry = __jit_debug_descriptor.first_entry;
  if (r->entry.next_entry != nullptr) r->entry.next_entry->prev_entry = &r->entry;
  __jit_debug_descriptor.first_entry = &r->entry;
  notify(&r->entry, JIT_REGISTER_FN);
  registry().push_back(std::move(r));
}

void gdb_unregister(uint64_t key) {
  if (key == 0) return;
  auto& reg = registry();
  for (auto it = reg.begin(); it != reg.end();) {
    if ((*it)->key != key) {
      ++it;
      continue;
    }
    jit_code_entry* e = &(*it)->entry;
    if (e->prev_entry != nullptr) e->prev_entry->next_entry = e->next_entry;
    else __jit_debug_descriptor.first_entry = e->next_entry;
    if (e->next_entry != nullptr) e->next_entry->prev_entry = e->prev_entry;
    // gdb reads the entry's image when told, so it is freed only after.
    notify(e, JIT_UNREGISTER_FN);
    it = reg.erase(it);
  }
}

size_t gdb_registered_units() { return registry().size(); }

}  // namespace ocamljit::debug
