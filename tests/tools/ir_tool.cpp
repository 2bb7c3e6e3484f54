// ocamljit-ir: a developer tool for IR dumps (OCAMLJIT_DUMP_IR).
//   ocamljit-ir print FILE.ir          GAS text, as X86_gas prints the unit
//   ocamljit-ir check FILE.ir...       decode each file; one line per error
//   ocamljit-ir bench [-n N] FILE.ir...
//       throughput of the IR path over all files, N rounds: decode, and when
//       this build has the C++ assembler, assemble + write ELF; prints MB of
//       IR/s, instructions/s and microseconds per unit for each stage. Times
//       are the thread's CPU time (steadier than wall time on a shared machine).
//       The `link` stage links every unit's Object into JIT memory in order, as
//       the toplevel does (symbols from outside the units resolve to one
//       address of this program).
#include <time.h>

#include <cstdlib>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "ir/decode.hpp"
#include "ir/gas_printer.hpp"

#if __has_include("asm/assembler.hpp") && __has_include("object/elf/writer.hpp")
#define OCAMLJIT_HAVE_ASSEMBLER 1
#include "asm/assembler.hpp"
#include "link/linker.hpp"
#include "memory/memory.hpp"
#include "object/elf/writer.hpp"
#else
#define OCAMLJIT_HAVE_ASSEMBLER 0
#endif

using namespace ocamljit;

namespace {

bool read_file(const char* path, std::vector<uint8_t>& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  out.assign(std::istreambuf_iterator<char>(in), {});
  return true;
}

#if OCAMLJIT_HAVE_ASSEMBLER
// What the units' references to the runtime resolve to in the link stage.
void outside_symbol() {}
#endif

int usage() {
  std::fprintf(stderr, "usage: ocamljit-ir print FILE.ir | check FILE.ir... | bench [-n N] FILE.ir...\n");
  return 2;
}

double cpu_now() {
  timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}
double seconds_since(double t0) { return cpu_now() - t0; }

int bench(int rounds, const std::vector<const char*>& files) {
  std::vector<std::vector<uint8_t>> irs(files.size());
  size_t bytes = 0;
  for (size_t i = 0; i < files.size(); ++i) {
    if (!read_file(files[i], irs[i])) {
      std::fprintf(stderr, "ocamljit-ir: cannot read %s\n", files[i]);
      return 1;
    }
    bytes += irs[i].size();
  }
  size_t lines = 0, instrs = 0;
  std::vector<ir::Program> programs;
  for (size_t i = 0; i < irs.size(); ++i) {
    auto p = ir::decode(irs[i].data(), irs[i].size());
    if (!p) {
      std::fprintf(stderr, "%s: %s\n", files[i], p.error().message.c_str());
      return 1;
    }
    lines += p->lines.size();
    for (const auto& l : p->lines) instrs += l.kind == ir::Line::Kind::Ins;
    programs.push_back(std::move(*p));
  }
  std::printf("%zu units, %.2f MB of IR, %zu lines, %zu instructions, %d rounds\n", irs.size(),
              bytes / 1e6, lines, instrs, rounds);
  auto report = [&](const char* stage, double s) {
    std::printf("%-26s %7.3f s %7.1f MB IR/s %6.2f M instructions/s %6.2f M lines/s %7.2f us/unit\n",
                stage, s, bytes * rounds / 1e6 / s, instrs * rounds / 1e6 / s,
                lines * rounds / 1e6 / s, s * 1e6 / (static_cast<double>(rounds) * irs.size()));
  };
  // Decoding reuses one Program, as the engine does.
  ir::Program reused;
  auto t0 = cpu_now();
  for (int r = 0; r < rounds; ++r)
    for (const auto& b : irs)
      if (!ir::decode(b.data(), b.size(), reused)) return 1;
  report("decode", seconds_since(t0));
#if OCAMLJIT_HAVE_ASSEMBLER
  // Into one Object whose memory is reused, as the engine does.
  obj::Object object;
  t0 = cpu_now();
  for (int r = 0; r < rounds; ++r)
    for (size_t i = 0; i < programs.size(); ++i) {
      Status s = assembler::assemble(programs[i], files[i], object);
      if (!s) { std::fprintf(stderr, "%s: %s\n", files[i], s.error().message.c_str()); return 1; }
    }
  report("assemble", seconds_since(t0));
  // Unit after unit as the toplevel does it: each program is assembled right
  // after it is decoded (in cache).
  t0 = cpu_now();
  for (int r = 0; r < rounds; ++r)
    for (size_t i = 0; i < irs.size(); ++i) {
      if (!ir::decode(irs[i].data(), irs[i].size(), reused)) return 1;
      if (!assembler::assemble(reused, files[i], object)) return 1;
    }
  report("decode+assemble", seconds_since(t0));
  {
    // The same with cold caches, as in the toplevel, where the compiler runs
    // between units: a sweep over a buffer larger than the caches evicts the
    // assembler's code and data before each unit. Only decode+assemble is timed.
    // 4 MiB by default: on the 2-core EPYC machine of issue 13 this comes
    // closest to the toplevel's own assemble time per phrase.
    const char* kb = std::getenv("OCAMLJIT_IR_BENCH_SWEEP_KB");
    std::vector<uint8_t> sweep(static_cast<size_t>(kb ? std::max(1, std::atoi(kb)) : 4096) << 10);
    const int cold_rounds = std::max(1, rounds / 40);
    double cold = 0;
    for (int r = 0; r < cold_rounds; ++r)
      for (size_t i = 0; i < irs.size(); ++i) {
        for (size_t k = 0; k < sweep.size(); k += 64) sweep[k] = static_cast<uint8_t>(sweep[k] + r + 1);
        const double c0 = cpu_now();
        if (!ir::decode(irs[i].data(), irs[i].size(), reused)) return 1;
        if (!assembler::assemble(reused, files[i], object)) return 1;
        cold += seconds_since(c0);
      }
    const double scale = static_cast<double>(rounds) / cold_rounds;  // report() counts `rounds`
    report("decode+assemble, cold", cold * scale);
  }
  t0 = cpu_now();
  for (int r = 0; r < rounds; ++r)
    for (size_t i = 0; i < irs.size(); ++i) {
      auto p = ir::decode(irs[i].data(), irs[i].size());
      if (!p) return 1;
      auto o = assembler::assemble(*p, files[i]);
      if (!o) return 1;
      auto e = elf::write_relocatable(*o);
      if (!e) { std::fprintf(stderr, "%s: %s\n", files[i], e.error().message.c_str()); return 1; }
    }
  report("decode+assemble+write ELF", seconds_since(t0));
  std::vector<obj::Object> objects;
  for (size_t i = 0; i < programs.size(); ++i) {
    auto o = assembler::assemble(programs[i], files[i]);
    if (!o) return 1;
    objects.push_back(std::move(*o));
  }
  auto memory = memory::Memory::create(memory::host_image(), size_t{256} << 20);
  if (!memory) { std::fprintf(stderr, "JIT memory: %s\n", memory.error().message.c_str()); return 1; }
  link::Linker linker(**memory, [](const std::string&) -> std::optional<uint64_t> {
    return reinterpret_cast<uint64_t>(&outside_symbol);
  });
  link::LinkedUnit linked;  // reused, as the engine does
  t0 = cpu_now();
  for (int r = 0; r < rounds; ++r)
    for (size_t i = 0; i < objects.size(); ++i) {
      Status l = linker.link(objects[i], {}, linked);
      if (!l) { std::fprintf(stderr, "%s: %s\n", files[i], l.error().message.c_str()); return 1; }
    }
  report("link", seconds_since(t0));
#else
  std::printf("(this build has no C++ assembler: decode only)\n");
#endif
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) return usage();
  std::string cmd = argv[1];
  if (cmd == "print") {
    std::vector<uint8_t> b;
    if (!read_file(argv[2], b)) { std::fprintf(stderr, "ocamljit-ir: cannot read %s\n", argv[2]); return 1; }
    auto p = ir::decode(b.data(), b.size());
    if (!p) { std::fprintf(stderr, "%s: %s\n", argv[2], p.error().message.c_str()); return 1; }
    auto text = ir::to_gas(*p);
    if (!text) { std::fprintf(stderr, "%s: %s\n", argv[2], text.error().message.c_str()); return 1; }
    std::fwrite(text->data(), 1, text->size(), stdout);
    return 0;
  }
  if (cmd == "check") {
    int status = 0;
    for (int i = 2; i < argc; ++i) {
      std::vector<uint8_t> b;
      if (!read_file(argv[i], b)) { std::fprintf(stderr, "ocamljit-ir: cannot read %s\n", argv[i]); status = 1; continue; }
      auto p = ir::decode(b.data(), b.size());
      if (!p) { std::printf("%s: %s\n", argv[i], p.error().message.c_str()); status = 1; }
    }
    return status;
  }
  if (cmd == "bench") {
    int rounds = 5, i = 2;
    if (std::strcmp(argv[2], "-n") == 0 && argc > 4) { rounds = std::atoi(argv[3]); i = 4; }
    if (rounds <= 0) return usage();
    return bench(rounds, std::vector<const char*>(argv + i, argv + argc));
  }
  return usage();
}
