#include "debug/debug.hpp"

#include <time.h>
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
void keep_image(const obj::Object& object, ImageView image) {
  static const char* dir = std::getenv("OCAMLJIT_DEBUG_IMAGES");
  if (dir == nullptr || *dir == '\0') return;
  std::string name = object.name.empty() ? "unit" : object.name;  // a library's: its archive's path
  for (char& ch : name)
    if (ch == '/') ch = '_';
  const std::string path = std::string(dir) + "/" + name + ".o";
  if (std::FILE* f = std::fopen(path.c_str(), "wb")) {
    std::fwrite(image.data, 1, image.size, f);
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

// With OCAMLJIT_JIT_STATS set, the time this room spends per unit is
// reported at exit. Monotonic time, read through the vDSO: a thread CPU
// clock read is a system call (0.7 us on a 2-core EPYC VM), as long as the
// work it would measure; a region of a microsecond is almost never preempted.
struct Cost {
  size_t units = 0, image_bytes = 0;
  int64_t gdb_ns = 0, jitdump_ns = 0;
};
Cost& cost() {
  static Cost c;
  static const bool report = [] {
    if (std::getenv("OCAMLJIT_JIT_STATS") == nullptr) return false;
    std::atexit([] {
      const Cost& c = cost();
      if (c.units == 0) return;
      const double n = static_cast<double>(c.units);
      std::fprintf(stderr,
                   "ocamljit debug: %zu units; gdb image %.0f bytes, %.2f us per unit; jitdump %.2f us per unit\n",
                   c.units, static_cast<double>(c.image_bytes) / n, static_cast<double>(c.gdb_ns) / n / 1000.0,
                   static_cast<double>(c.jitdump_ns) / n / 1000.0);
    });
    return true;
  }();
  (void)report;
  return c;
}

int64_t now_ns() {
  static const bool wanted = std::getenv("OCAMLJIT_JIT_STATS") != nullptr;
  if (!wanted) return 0;
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

}  // namespace

void on_unit_loaded(const obj::Object& object, const link::LinkedUnit& linked) {
  Cost& c = cost();
  ++c.units;
  if (gdb_enabled()) {
    const int64_t t = now_ns();
    // Reused (units load one at a time, under the runtime lock): gdb_register copies the image.
    static std::vector<uint8_t> storage;
    // A library's image is written in place, in the memory gdb's list keeps.
    const size_t bound = debug_image_bound(object, linked, comp_dir());
    uint8_t* room = gdb_reserve(bound);
    auto image = room != nullptr ? write_debug_image(object, linked, comp_dir(), storage, room, bound)
                                 : write_debug_image(object, linked, comp_dir(), storage);
    if (image) {
      keep_image(object, *image);
      c.image_bytes += image->size;
      if (room != nullptr && image->data == room) {
        gdb_register_reserved(room, image->size, linked.code.lo);
        room = nullptr;
      } else if (!gdb_register(image->data, image->size, linked.code.lo)) {
        std::fprintf(stderr, "ocamljit: no debug information for gdb: no memory for the image of %s\n",
                     object.name.c_str());
      }
      if (storage.size() > (size_t{256} << 10)) std::vector<uint8_t>().swap(storage);  // after a library's
    }
    else std::fprintf(stderr, "ocamljit: no debug information for gdb: %s\n", image.error().message.c_str());
    if (room != nullptr) gdb_release_reserved(room);
    c.gdb_ns += now_ns() - t;
  }
  if (jitdump_enabled()) {
    const int64_t t = now_ns();
    jitdump_write(object, linked);
    c.jitdump_ns += now_ns() - t;
  }
}

void on_unit_unloaded(uint64_t code_start) { gdb_unregister(code_start); }

}  // namespace ocamljit::debug
