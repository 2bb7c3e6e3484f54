#include "link/tls.hpp"

#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>

namespace ocamljit::link::tls {
namespace {

std::mutex modules_lock;
std::vector<std::unique_ptr<Image>>& modules() {  // index = id - 1
  static std::vector<std::unique_ptr<Image>> all;
  return all;
}

// This thread's copies of the modules it touched, freed when it exits.
struct Blocks {
  std::vector<void*> by_id;
  ~Blocks() {
    for (void* b : by_id) std::free(b);
  }
};
thread_local Blocks blocks;

void* instantiate(uint64_t id) {
  std::lock_guard<std::mutex> hold(modules_lock);
  if (id == 0 || id > modules().size() || !modules()[id - 1]) std::abort();  // not a GOT pair of ours
  const Image& image = *modules()[id - 1];
  const size_t align = image.align < alignof(std::max_align_t) ? alignof(std::max_align_t) : image.align;
  const size_t size = (image.size + align - 1) / align * align;
  void* block = std::aligned_alloc(align, size == 0 ? align : size);
  if (block == nullptr) std::abort();
  std::memset(block, 0, size);
  if (!image.init.empty()) std::memcpy(block, image.init.data(), image.init.size());
  if (blocks.by_id.size() <= id) blocks.by_id.resize(id + 1, nullptr);
  blocks.by_id[id] = block;
  return block;
}

}  // namespace

uint64_t add_module(Image image) {
  std::lock_guard<std::mutex> hold(modules_lock);
  modules().push_back(std::make_unique<Image>(std::move(image)));
  return modules().size();
}

void remove_module(uint64_t id) {
  std::lock_guard<std::mutex> hold(modules_lock);
  if (id != 0 && id <= modules().size()) modules()[id - 1].reset();
}

size_t module_count() {
  std::lock_guard<std::mutex> hold(modules_lock);
  size_t n = 0;
  for (const auto& m : modules()) n += m != nullptr;
  return n;
}

}  // namespace ocamljit::link::tls

extern "C" void* ocamljit_tls_get_addr(const uint64_t* pair) {
  using ocamljit::link::tls::blocks;
  const uint64_t id = pair[0];
  void* block = id < blocks.by_id.size() ? blocks.by_id[id] : nullptr;
  if (block == nullptr) block = ocamljit::link::tls::instantiate(id);
  return static_cast<uint8_t*>(block) + pair[1];
}
