// libFuzzer target: the archive and ELF readers, the link-group merge and the
// in-memory link (no code is run) must turn any byte string into a linked
// unit or an Error, never crash. Inputs starting with "!<arch>\n" are
// archives (every member merged into one group), others single objects.
#include <cstddef>
#include <cstdint>
#include <memory>

#include "fuzz/elf_fuzz_input.hpp"
#include "memory/memory.hpp"

namespace {

void anywhere() {}

struct Engine {
  std::unique_ptr<ocamljit::memory::Memory> memory;
  std::unique_ptr<ocamljit::link::Linker> linker;
  void reset() {
    linker.reset();
    memory.reset();
    auto m = ocamljit::memory::Memory::create(ocamljit::memory::host_image(), size_t{64} << 20);
    if (!m) __builtin_trap();
    memory = std::move(*m);
    linker = std::make_unique<ocamljit::link::Linker>(
        *memory, ocamljit::fuzz::fuzz_resolver(reinterpret_cast<uint64_t>(&anywhere)));
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Engine engine;
  static size_t runs = 0;
  // Linked inputs keep their memory, and the linker remembers every outside
  // name it looked up: start afresh now and then.
  if (!engine.linker || engine.memory->used() > (size_t{32} << 20) || ++runs % 10000 == 0) engine.reset();
  (void)ocamljit::fuzz::link_fuzz_input(*engine.linker, {data, size});
  return 0;
}
