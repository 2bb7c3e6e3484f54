// ocamljit-ir: a developer tool for IR dumps (OCAMLJIT_DUMP_IR).
//   ocamljit-ir print FILE.ir          GAS text, as X86_gas prints the unit
//   ocamljit-ir check FILE.ir...       decode each file; one line per error
//   ocamljit-ir bench [-n N] FILE.ir...
//       throughput of the IR path over all files, N rounds: decode, and when
//       this build has the C++ assembler, assemble + write ELF; prints MB of
//       IR/s and instructions/s for each stage.
#include <chrono>
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

int usage() {
  std::fprintf(stderr, "usage: ocamljit-ir print FILE.ir | check FILE.ir... | bench [-n N] FILE.ir...\n");
  return 2;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

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
    std::printf("%-26s %7.3f s %7.1f MB IR/s %6.2f M instructions/s %6.2f M lines/s\n", stage, s,
                bytes * rounds / 1e6 / s, instrs * rounds / 1e6 / s, lines * rounds / 1e6 / s);
  };
  auto t0 = std::chrono::steady_clock::now();
  for (int r = 0; r < rounds; ++r)
    for (const auto& b : irs)
      if (!ir::decode(b.data(), b.size())) return 1;
  report("decode", seconds_since(t0));
#if OCAMLJIT_HAVE_ASSEMBLER
  t0 = std::chrono::steady_clock::now();
  for (int r = 0; r < rounds; ++r)
    for (size_t i = 0; i < programs.size(); ++i) {
      auto o = assembler::assemble(programs[i], files[i]);
      if (!o) { std::fprintf(stderr, "%s: %s\n", files[i], o.error().message.c_str()); return 1; }
    }
  report("assemble", seconds_since(t0));
  t0 = std::chrono::steady_clock::now();
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
