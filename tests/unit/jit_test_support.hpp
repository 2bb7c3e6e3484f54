// Helpers shared by the JIT unit tests: GNU as / ld run at test time as
// oracles, and a reader of /proc/self/maps.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <unistd.h>
#include <vector>

namespace jit_test {

inline std::string temp_dir() {
  static std::string dir = [] {
    char tmpl[] = "/tmp/ocamljit-unit-XXXXXX";
    const char* d = mkdtemp(tmpl);
    return std::string(d ? d : "/tmp");
  }();
  return dir;
}

inline std::string write_file(const std::string& name, const std::string& text) {
  std::string path = temp_dir() + "/" + name;
  std::ofstream(path) << text;
  return path;
}

inline std::vector<uint8_t> read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

inline int run(const std::string& command) { return std::system((command + " >/dev/null 2>&1").c_str()); }

// Assembles `source` with GNU as; returns the object's path ("" on failure).
inline std::string assemble(const std::string& name, const std::string& source) {
  const std::string s = write_file(name + ".s", source);
  const std::string o = temp_dir() + "/" + name + ".o";
  return run("as --64 -o " + o + " " + s) == 0 ? o : "";
}

inline std::string capture(const std::string& command) {
  std::string out;
  if (FILE* p = popen(command.c_str(), "r")) {
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    pclose(p);
  }
  return out;
}

struct MapEntry {
  uintptr_t lo, hi;
  std::string perms;
};

inline std::vector<MapEntry> maps() {
  std::vector<MapEntry> out;
  std::ifstream in("/proc/self/maps");
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream ls(line);
    std::string range, perms;
    ls >> range >> perms;
    const auto dash = range.find('-');
    out.push_back({std::stoull(range.substr(0, dash), nullptr, 16),
                   std::stoull(range.substr(dash + 1), nullptr, 16), perms});
  }
  return out;
}

}  // namespace jit_test
