// TEST-ONLY: asm-diff [-q] [-o DIR] file.s...
// For each file: parse X86_gas text into an ir::Program, assemble it in
// process, write ELF, and compare with `as` on the same text. Prints one
// line per differing file and the counts; exit status 1 if any differ.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include "asm/assembler.hpp"
#include "object/elf/writer.hpp"
#include "support/elf_compare.hpp"
#include "support/gas_parser.hpp"

using namespace ocamljit;

int main(int argc, char** argv) {
  bool quiet = false;
  std::string outdir;
  int same = 0, differ = 0;
  double asm_seconds = 0;
  size_t total_lines = 0;
  for (int k = 1; k < argc; ++k) {
    std::string path = argv[k];
    if (path == "-q") { quiet = true; continue; }
    if (path == "-o" && k + 1 < argc) { outdir = argv[++k]; continue; }
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    std::string text = ss.str();
    auto prog = testing::parse_gas(text);
    if (!prog) {
      std::cout << "DIFF " << path << ": parse: " << prog.error().message << "\n";
      ++differ;
      continue;
    }
    total_lines += prog->lines.size();
    auto t0 = std::chrono::steady_clock::now();
    auto o = assembler::assemble(*prog, path);
    std::vector<uint8_t> elf;
    if (o) {
      auto w = elf::write_relocatable(*o);
      if (!w) {
        std::cout << "DIFF " << path << ": write: " << w.error().message << "\n";
        ++differ;
        continue;
      }
      elf = std::move(w.value());
    }
    asm_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (!o) {
      std::cout << "DIFF " << path << ": " << o.error().message << "\n";
      ++differ;
      continue;
    }
    if (!outdir.empty()) {
      std::string base = path.substr(path.find_last_of('/') + 1);
      std::ofstream(outdir + "/" + base + ".o", std::ios::binary)
          .write(reinterpret_cast<const char*>(elf.data()), static_cast<std::streamsize>(elf.size()));
    }
    std::string diag;
    auto theirs = testing::run_gnu_as(text, &diag);
    if (theirs.empty()) {
      std::cout << "DIFF " << path << ": as failed: " << diag << "\n";
      ++differ;
      continue;
    }
    std::string d = testing::compare_objects(testing::read_elf(elf), testing::read_elf(theirs));
    if (d.empty()) {
      ++same;
      if (!quiet) std::cout << "SAME " << path << "\n";
    } else {
      ++differ;
      std::cout << "DIFF " << path << ":\n" << d;
    }
  }
  std::cout << "identical: " << same << ", different: " << differ << "\n";
  std::cerr << "assembled " << total_lines << " lines in " << asm_seconds << " s\n";
  return differ ? 1 : 0;
}
