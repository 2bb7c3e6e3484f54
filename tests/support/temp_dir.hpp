// A temporary directory for a test, removed with everything in it at scope exit.
#pragma once

#include <dirent.h>
#include <stdlib.h>

#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

namespace ocamljit::test_support {

struct TempDir {
  std::string path;
  TempDir() {
    char t[] = "/tmp/ocamljit-test-XXXXXX";
    path = mkdtemp(t) ? t : "";
  }
  ~TempDir() {
    if (!path.empty()) std::system(("rm -rf '" + path + "'").c_str());
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  // Writes `contents` to file `name` in the directory; returns its path.
  std::string file(const std::string& name, const std::string& contents) const {
    std::string p = path + "/" + name;
    std::ofstream(p, std::ios::binary) << contents;
    return p;
  }
  // The directory's entries, "." and ".." aside.
  std::vector<std::string> entries() const {
    std::vector<std::string> v;
    if (DIR* d = opendir(path.c_str())) {
      while (dirent* e = readdir(d))
        if (std::string(e->d_name) != "." && std::string(e->d_name) != "..") v.push_back(e->d_name);
      closedir(d);
    }
    return v;
  }
};

}  // namespace ocamljit::test_support
