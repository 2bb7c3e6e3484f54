// The GDB JIT interface (gdb manual, "JIT Compilation Interface"): gdb puts
// a breakpoint on __jit_debug_register_code and, when it is hit, reads the
// entry __jit_debug_descriptor.relevant_entry points at: an in-memory
// object file. Names and layouts are fixed by gdb; they must stay C symbols.
#include <cstdint>
#include <deque>
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
};

// Images stay registered (and alive) for the life of the process: units
// are never unloaded yet.
std::deque<std::unique_ptr<Registered>>& registry() {
  static std::deque<std::unique_ptr<Registered>> r;
  return r;
}

}  // namespace

void gdb_register(std::vector<uint8_t> image) {
  auto r = std::make_unique<Registered>();
  r->image = std::move(image);
  r->entry.symfile_addr = reinterpret_cast<const char*>(r->image.data());
  r->entry.symfile_size = r->image.size();
  r->entry.next_entry = __jit_debug_descriptor.first_entry;
  if (r->entry.next_entry != nullptr) r->entry.next_entry->prev_entry = &r->entry;
  __jit_debug_descriptor.first_entry = &r->entry;
  __jit_debug_descriptor.relevant_entry = &r->entry;
  __jit_debug_descriptor.action_flag = JIT_REGISTER_FN;
  __jit_debug_register_code();
  __jit_debug_descriptor.action_flag = JIT_NOACTION;
  registry().push_back(std::move(r));
}

size_t gdb_registered_units() { return registry().size(); }

}  // namespace ocamljit::debug
