// perf jitdump writer (linux tools/perf/Documentation/jitdump-specification.txt).
// `perf record -k 1` notices the file because the process maps it with
// PROT_EXEC; `perf inject --jit` then turns each CODE_LOAD record into a
// small ELF file perf report can symbolise, with DEBUG_INFO as its lines.
#include "debug/jitdump.hpp"

#include <sys/mman.h>
#include <algorithm>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "debug/debug.hpp"

namespace ocamljit::debug {
namespace {

uint64_t monotonic_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);  // `perf record -k 1` (= -k mono) uses this clock
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000u + static_cast<uint64_t>(ts.tv_nsec);
}

// Records are built in a buffer reused from unit to unit.
struct Out {
  std::vector<uint8_t> b;
  template <class T>
  void put(T v) {
    uint8_t bytes[sizeof(T)];
    std::memcpy(bytes, &v, sizeof(T));  // little-endian host, as the format
    b.insert(b.end(), bytes, bytes + sizeof(T));
  }
  void str(std::string_view s) {  // with a NUL
    b.insert(b.end(), s.begin(), s.end());
    b.push_back(0);
  }
  void record_header(uint32_t id, uint64_t timestamp) {
    put<uint32_t>(id);
    put<uint32_t>(0);  // total_size, patched by finish
    put<uint64_t>(timestamp);
  }
  void finish(size_t start) {
    const uint32_t size = static_cast<uint32_t>(b.size() - start);
    std::memcpy(b.data() + start + 4, &size, 4);
  }
};

class Dump {
 public:
  // Opens jit-PID.dump in `dir`; null `file_` when that fails (one message).
  explicit Dump(const std::string& dir) {
    const std::string path = dir + "/jit-" + std::to_string(getpid()) + ".dump";
    file_ = std::fopen(path.c_str(), "w+");
    if (file_ == nullptr) {
      std::fprintf(stderr, "ocamljit: cannot write the perf jitdump %s\n", path.c_str());
      return;
    }
    std::setvbuf(file_, nullptr, _IOFBF, size_t{1} << 16);  // records are flushed in batches
    Out h;
    h.put<uint32_t>(jitdump::kMagic);
    h.put<uint32_t>(jitdump::kVersion);
    h.put<uint32_t>(40);  // header size
    h.put<uint32_t>(62);  // EM_X86_64
    h.put<uint32_t>(0);
    h.put<uint32_t>(static_cast<uint32_t>(getpid()));
    h.put<uint64_t>(monotonic_ns());
    h.put<uint64_t>(0);   // flags
    std::fwrite(h.b.data(), 1, h.b.size(), file_);
    std::fflush(file_);
    // The marker perf looks for: an executable mapping of the file.
    marker_ = mmap(nullptr, static_cast<size_t>(sysconf(_SC_PAGESIZE)), PROT_READ | PROT_EXEC, MAP_PRIVATE,
                   fileno(file_), 0);
    if (marker_ == MAP_FAILED) {
      marker_ = nullptr;
      std::fprintf(stderr, "ocamljit: cannot map %s for perf; perf inject will not find it\n", path.c_str());
    }
  }
  ~Dump() {
    if (marker_ != nullptr) munmap(marker_, static_cast<size_t>(sysconf(_SC_PAGESIZE)));
    if (file_ != nullptr) std::fclose(file_);
  }
  Dump(const Dump&) = delete;
  Dump& operator=(const Dump&) = delete;

  void write(const obj::Object& object, const link::LinkedUnit& linked) {
    if (file_ == nullptr) return;
    auto& rows = rows_;
    line_rows(object, linked, rows);
    // Both are system calls: asked once (per thread for the thread id).
    static const uint32_t pid = static_cast<uint32_t>(getpid());
    thread_local const uint32_t tid = static_cast<uint32_t>(syscall(SYS_gettid));
    Out& o = out_;
    o.b.clear();
    for (const auto& f : linked.functions) {
      const uint64_t now = monotonic_ns();
      // DEBUG_INFO precedes the CODE_LOAD it describes.
      auto first = std::lower_bound(rows.begin(), rows.end(), f.address,
                                    [](const LineRow& r, uint64_t a) { return r.address < a; });
      auto last = first;
      while (last != rows.end() && last->address < f.address + f.size) ++last;
      if (first != last) {
        const size_t start = o.b.size();
        o.record_header(jitdump::kDebugInfo, now);
        o.put<uint64_t>(f.address);
        o.put<uint64_t>(static_cast<uint64_t>(last - first));
        for (auto r = first; r != last; ++r) {
          o.put<uint64_t>(r->address);
          o.put<uint32_t>(r->line);
          o.put<uint32_t>(0);  // discriminator
          o.str(r->file < object.files.size() ? object.files[r->file] : std::string("<unknown>"));
        }
        o.finish(start);
      }
      const size_t start = o.b.size();
      o.record_header(jitdump::kCodeLoad, now);
      o.put<uint32_t>(pid);
      o.put<uint32_t>(tid);
      o.put<uint64_t>(f.address);  // vma
      o.put<uint64_t>(f.address);  // code_addr
      o.put<uint64_t>(f.size);
      o.put<uint64_t>(code_index_++);
      o.str(linked.name_of(f));
      const auto* code = reinterpret_cast<const uint8_t*>(f.address);
      o.b.insert(o.b.end(), code, code + f.size);
      o.finish(start);
    }
    // Left in stdio's buffer (flushed when full and at exit): perf reads
    // the file after the run, and a write per unit would cost a system call.
    std::fwrite(o.b.data(), 1, o.b.size(), file_);
  }

 private:
  std::vector<LineRow> rows_;
  Out out_;
  std::FILE* file_ = nullptr;
  void* marker_ = nullptr;
  uint64_t code_index_ = 0;
};

}  // namespace

bool jitdump_enabled() {
  static const bool on = [] {
    const char* v = std::getenv("OCAMLJIT_PERF");
    return v != nullptr && std::string(v) == "jitdump";
  }();
  return on;
}

void jitdump_write(const obj::Object& object, const link::LinkedUnit& linked) {
  static Dump dump([] {
    const char* dir = std::getenv("OCAMLJIT_JITDUMP_DIR");
    return std::string(dir != nullptr && *dir != '\0' ? dir : "/tmp");
  }());
  dump.write(object, linked);
}

}  // namespace ocamljit::debug
