#include "link/host_symbols.hpp"

#include <mutex>
#include <unordered_map>
#include <utility>

namespace ocamljit::link {
namespace {

struct Registry {
  std::mutex lock;  // hosts may register from any thread
  std::unordered_map<std::string, uint64_t> names;
};

Registry& registry() {
  static Registry r;
  return r;
}

}  // namespace

Status define_host_symbol(const std::string& name, uint64_t address) {
  if (name.empty()) return make_error("host primitive: empty name");
  if (address == 0) return make_error("host primitive ", name, ": null address");
  Registry& r = registry();
  std::lock_guard<std::mutex> hold(r.lock);
  auto [it, fresh] = r.names.emplace(name, address);
  if (!fresh && it->second != address)
    return make_error("host primitive ", name, ": already defined with another function");
  return ok_status();
}

std::optional<uint64_t> host_symbol(const std::string& name) {
  Registry& r = registry();
  std::lock_guard<std::mutex> hold(r.lock);
  auto it = r.names.find(name);
  if (it == r.names.end()) return std::nullopt;
  return it->second;
}

ExternalResolver with_host_symbols(ExternalResolver next) {
  return [next = std::move(next)](const std::string& name) -> std::optional<uint64_t> {
    if (auto a = host_symbol(name)) return a;
    return next(name);
  };
}

}  // namespace ocamljit::link
