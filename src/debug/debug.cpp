#include "debug/debug.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "debug/gdb_jit.hpp"
#include "debug/jitdump.hpp"

namespace ocamljit::debug {
namespace {

// OCAMLJIT_GDB=0 turns the GDB JIT registration off (it is on by default:
// gdb can attach at any time and reads every entry registered before).
bool gdb_enabled() {
  static const bool on = [] {
    const char* v = std::getenv("OCAMLJIT_GDB");
    return v == nullptr || std::string(v) != "0";
  }();
  return on;
}

// OCAMLJIT_DEBUG_IMAGES=DIR keeps a copy of every image gdb gets, as
// DIR/<unit>.o, for readelf/objdump.
void keep_image(const obj::Object& object, const std::vector<uint8_t>& image) {
  static const char* dir = std::getenv("OCAMLJIT_DEBUG_IMAGES");
  if (dir == nullptr || *dir == '\0') return;
  const std::string path = std::string(dir) + "/" + (object.name.empty() ? "unit" : object.name) + ".o";
  if (std::FILE* f = std::fopen(path.c_str(), "wb")) {
    std::fwrite(image.data(), 1, image.size(), f);
    std::fclose(f);
  }
}

const std::string& comp_dir() {
  static const std::string dir = [] {
    char buf[4096];
    return std::string(getcwd(buf, sizeof buf) != nullptr ? buf : "/");
  }();
  return dir;
}

}  // namespace

void on_unit_loaded(const obj::Object& object, const link::LinkedUnit& linked) {
  if (gdb_enabled()) {
    auto image = build_debug_image(object, linked, comp_dir());
    if (image) {
      keep_image(object, *image);
      gdb_register(std::move(*image));
    }
    else std::fprintf(stderr, "ocamljit: no debug information for gdb: %s\n", image.error().message.c_str());
  }
  if (jitdump_enabled()) jitdump_write(object, linked);
}

}  // namespace ocamljit::debug
