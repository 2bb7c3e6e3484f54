// TEST-ONLY: asm-diff [-q] [-o DIR] file.s...
//            asm-diff --bench N file.s...   (throughput: N rounds, no `as`)
//            asm-diff --dump file.s          (print our Object: sections, symbols,
//                                             relocations, line table)
// For each file: parse X86_gas text into an ir::Program, assemble it in
// process, write ELF, and compare with `as` on the same text. Prints one
// line per differing file and the counts; exit status 1 if any differ.
#include <chrono>
#include <cstdlib>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include "asm/assembler.hpp"
#include "object/elf/writer.hpp"
#include "support/elf_compare.hpp"
#include "support/gas_parser.hpp"

using namespace ocamljit;

namespace {

// Parses every file once, then assembles (and writes ELF for) all of them
// `rounds` times; prints lines per second and per-phase times.
int bench(int rounds, const std::vector<std::string>& files) {
  std::vector<ir::Program> progs;
  size_t lines = 0, bytes = 0;
  for (const auto& path : files) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    auto p = testing::parse_gas(ss.str());
    if (!p) {
      std::cerr << path << ": " << p.error().message << "\n";
      return 2;
    }
    lines += p->lines.size();
    progs.push_back(std::move(p.value()));
  }
  double t_asm = 0, t_elf = 0;
  for (int r = 0; r < rounds; ++r)
    for (size_t k = 0; k < progs.size(); ++k) {
      auto t0 = std::chrono::steady_clock::now();
      auto o = assembler::assemble(progs[k], files[k]);
      auto t1 = std::chrono::steady_clock::now();
      if (!o) {
        std::cerr << o.error().message << "\n";
        return 2;
      }
      auto w = elf::write_relocatable(*o);
      auto t2 = std::chrono::steady_clock::now();
      if (r == 0 && w) bytes += w->size();
      t_asm += std::chrono::duration<double>(t1 - t0).count();
      t_elf += std::chrono::duration<double>(t2 - t1).count();
    }
  double total_lines = double(lines) * rounds;
  std::cout << files.size() << " units, " << lines << " lines, " << rounds << " rounds: assemble "
            << t_asm / rounds * 1e3 << " ms/round (" << total_lines / t_asm / 1e6 << " M lines/s), ELF write "
            << t_elf / rounds * 1e3 << " ms/round, " << bytes << " bytes of .o per round\n";
  return 0;
}

const char* reloc_name(uint32_t t) {
  switch (t) {
    case 1: return "R_X86_64_64";
    case 2: return "R_X86_64_PC32";
    case 4: return "R_X86_64_PLT32";
    case 9: return "R_X86_64_GOTPCREL";
    case 10: return "R_X86_64_32";
    case 11: return "R_X86_64_32S";
    case 12: return "R_X86_64_16";
    case 13: return "R_X86_64_PC16";
    case 14: return "R_X86_64_8";
    case 15: return "R_X86_64_PC8";
    case 24: return "R_X86_64_PC64";
    case 41: return "R_X86_64_GOTPCRELX";
    case 42: return "R_X86_64_REX_GOTPCRELX";
    default: return "?";
  }
}

int dump(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  auto prog = testing::parse_gas(ss.str());
  if (!prog) {
    std::cerr << path << ": " << prog.error().message << "\n";
    return 2;
  }
  auto o = assembler::assemble(*prog, path);
  if (!o) {
    std::cerr << o.error().message << "\n";
    return 2;
  }
  std::printf("unit %s\n", o->name.c_str());
  for (size_t k = 0; k < o->sections.size(); ++k) {
    const auto& s = o->sections[k];
    std::printf("section %zu %s type %u flags 0x%llx align %llu entsize %llu size %llu\n", k, s.name.c_str(), s.type,
                (unsigned long long)s.flags, (unsigned long long)s.alignment, (unsigned long long)s.entsize,
                (unsigned long long)s.size());
  }
  for (size_t k = 0; k < o->symbols.size(); ++k) {
    const auto& s = o->symbols[k];
    static const char* const bind[] = {"local", "global", "weak"};
    static const char* const kind[] = {"notype", "func", "object", "section", "file"};
    std::printf("symbol %zu %s %s %s %s+0x%llx size %llu\n", k, s.name.c_str(), bind[int(s.binding)],
                kind[int(s.kind)],
                s.absolute ? "*ABS*" : s.section ? o->sections[*s.section].name.c_str() : "*UND*",
                (unsigned long long)s.value, (unsigned long long)s.size);
  }
  for (const auto& r : o->relocations)
    std::printf("reloc %s+0x%llx %s %s%+lld\n", o->sections[r.section].name.c_str(), (unsigned long long)r.offset,
                reloc_name(r.type), o->symbols[r.symbol].name.c_str(), (long long)r.addend);
  for (const auto& l : o->lines)
    std::printf("line %s+0x%llx %s:%u:%u\n", o->sections[l.section].name.c_str(), (unsigned long long)l.offset,
                l.file < o->files.size() ? o->files[l.file].c_str() : "?", l.line, l.column);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 3 && std::string(argv[1]) == "--dump") return dump(argv[2]);
  if (argc > 2 && std::string(argv[1]) == "--bench")
    return bench(std::atoi(argv[2]), std::vector<std::string>(argv + 3, argv + argc));
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
