#include "link/library.hpp"

#include <dirent.h>
#include <dlfcn.h>
#include <glob.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <fstream>
#include <iterator>
#include <optional>
#include <span>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "link/group.hpp"
#include "link/name_index.hpp"
#include "object/elf/archive.hpp"
#include "object/elf/reader.hpp"

extern "C" void __register_frame(void*);
extern "C" void __deregister_frame(void*);
extern char** environ;

namespace ocamljit::link {
namespace {

using Clock = std::chrono::steady_clock;
int64_t since(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - t).count();
}

bool is_archive(std::span<const uint8_t> b) {
  return b.size() >= 8 && std::memcmp(b.data(), "!<arch>\n", 8) == 0;
}

// The objects of a file: every member of an archive, or the object itself.
Result<std::vector<obj::Object>> read_objects(std::span<const uint8_t> bytes, const std::string& path) {
  const elf::ReadOptions loadable{.loadable_only = true};
  if (is_archive(bytes)) return elf::read_archive(bytes, path, loadable);
  auto o = elf::read_relocatable(bytes, path, loadable);
  if (!o) return o.error();
  std::vector<obj::Object> one;
  one.push_back(std::move(*o));
  return one;
}

Error changed_while_read(const std::string& path) { return make_error(path, ": the file changed while it was read"); }

Result<std::vector<obj::Object>> read_objects(const std::string& path) {
  auto file = elf::read_file_bytes(path);
  if (!file) return file.error();
  auto objects = read_objects(file->bytes(), path);
  if (!file->intact()) return changed_while_read(path);
  return objects;
}

bool exists(const std::string& path) { return access(path.c_str(), R_OK) == 0; }

// An ELF64 x86-64 shared object (not a linker script, not a 32-bit library).
bool is_loadable_shared(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  uint8_t h[20] = {};
  if (!in.read(reinterpret_cast<char*>(h), sizeof h)) return false;
  return std::memcmp(h, "\x7f" "ELF", 4) == 0 && h[4] == 2 && h[5] == 1 && h[16] == 3 /* ET_DYN */ &&
         h[18] == 62 /* EM_X86_64 */;
}

// The dynamic loader's directories: /etc/ld.so.conf (with its includes),
// then the default ones.
void read_ld_conf(const std::string& path, std::vector<std::string>& dirs, int depth) {
  if (depth > 4) return;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    line = line.substr(0, line.find('#'));
    while (!line.empty() && (line.back() == ' ' || line.back() == '\t' || line.back() == '\r')) line.pop_back();
    size_t b = line.find_first_not_of(" \t");
    if (b == std::string::npos) continue;
    line = line.substr(b);
    if (line.rfind("include", 0) == 0 && line.size() > 7 && (line[7] == ' ' || line[7] == '\t')) {
      std::string pattern = line.substr(line.find_first_not_of(" \t", 7));
      glob_t g{};
      if (glob(pattern.c_str(), 0, nullptr, &g) == 0)
        for (size_t i = 0; i < g.gl_pathc; ++i) read_ld_conf(g.gl_pathv[i], dirs, depth + 1);
      globfree(&g);
    } else if (line[0] == '/') {
      dirs.push_back(line);
    }
  }
}

const std::vector<std::string>& system_dirs() {
  static const std::vector<std::string> dirs = [] {
    std::vector<std::string> d;
    read_ld_conf("/etc/ld.so.conf", d, 0);
    for (const char* x : {"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib64", "/usr/lib64", "/lib",
                          "/usr/lib"})
      d.push_back(x);
    return d;
  }();
  return dirs;
}

// libX.so.N in `dir`, the shortest version suffix first (the soname).
std::optional<std::string> versioned_shared(const std::string& dir, const std::string& name) {
  const std::string prefix = "lib" + name + ".so.";
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return std::nullopt;
  std::optional<std::string> best;  // file name
  while (dirent* e = readdir(d)) {
    const std::string f = e->d_name;
    if (f.size() <= prefix.size() || f.compare(0, prefix.size(), prefix) != 0) continue;
    if (f.find_first_not_of("0123456789.", prefix.size()) != std::string::npos) continue;
    if (!is_loadable_shared(dir + "/" + f)) continue;
    if (!best || f.size() < best->size() || (f.size() == best->size() && f < *best)) best = f;
  }
  closedir(d);
  if (!best) return std::nullopt;
  return dir + "/" + *best;
}

}  // namespace

Result<LibrarySource> find_library(const std::string& name, const std::vector<std::string>& dirs) {
  // The library's own directories first: the dynamic loader's configuration
  // is read only when they do not have it.
  static const std::vector<std::string> no_system_dirs;
  if (auto local = find_library(name, dirs, no_system_dirs)) return local;
  return find_library(name, dirs, system_dirs());
}

Result<LibrarySource> find_library(const std::string& name, const std::vector<std::string>& dirs,
                                   const std::vector<std::string>& system) {
  for (const char* in_process : {"c", "m", "dl", "pthread", "rt"})
    if (name == in_process) return LibrarySource{LibrarySource::InProcess, ""};
  for (const auto& dir : dirs)
    if (exists(dir + "/lib" + name + ".a")) return LibrarySource{LibrarySource::Archive, dir + "/lib" + name + ".a"};
  for (const auto& dir : dirs)  // a shared library installed with the package (not by us)
    if (is_loadable_shared(dir + "/lib" + name + ".so"))
      return LibrarySource{LibrarySource::Shared, dir + "/lib" + name + ".so"};
  for (const auto& dir : system) {
    const std::string so = dir + "/lib" + name + ".so";
    if (is_loadable_shared(so)) return LibrarySource{LibrarySource::Shared, so};
    if (auto v = versioned_shared(dir, name)) return LibrarySource{LibrarySource::Shared, *v};
  }
  for (const auto& dir : system)
    if (exists(dir + "/lib" + name + ".a")) return LibrarySource{LibrarySource::Archive, dir + "/lib" + name + ".a"};
  return make_error("cannot find -l", name, " (no lib", name, ".a in the library path, no system lib", name,
                    ".so)");
}

// The unwinder must not keep tables that point into memory about to go.
LibraryLinker::~LibraryLinker() {
  for (auto it = libraries_.rbegin(); it != libraries_.rend(); ++it)
    if (it->unit.eh_frame != 0) __deregister_frame(reinterpret_cast<void*>(it->unit.eh_frame));
}

const LinkedUnit& LibraryLinker::unit(int handle) const { return libraries_.at(static_cast<size_t>(handle - 1)).unit; }

Result<int> LibraryLinker::link(const LibraryRequest& request) {
  timings_ = {};
  last_object_.reset();
  const auto started = Clock::now();
  // Messages name the group by its first OCaml object, else its C arguments.
  std::string group_name = request.ocaml_objects.empty() ? std::string() : request.ocaml_objects.front();
  for (size_t i = 0; group_name.empty() && i < request.c_args.size(); ++i)
    group_name = request.c_args[i] + (i + 1 < request.c_args.size() ? " ..." : "");
  if (group_name.empty()) group_name = "library";

  // Shared libraries opened for this group: closed again unless it links.
  struct Opened {
    std::vector<void*> handles;
    Linker* linker;
    bool keep = false;
    ~Opened() {
      if (keep) return;
      for (auto it = handles.rbegin(); it != handles.rend(); ++it) dlclose(*it);
      if (!handles.empty()) linker->forget_outside();
    }
  } opened{{}, &linker_};

  // ---- read: the OCaml objects, the C arguments.
  std::vector<obj::Object> objects;
  auto in_memory = [&](const std::string& name) -> std::optional<std::span<const uint8_t>> {
    auto it = request.memory_files.find(name);
    if (it == request.memory_files.end()) return std::nullopt;
    return it->second;
  };
  auto read_any = [&](const std::string& name) {
    if (auto bytes = in_memory(name)) return read_objects(*bytes, name);
    return read_objects(name);
  };
  for (const auto& path : request.ocaml_objects) {
    auto os = read_any(path);
    if (!os) return os.error();
    for (auto& o : *os) objects.push_back(std::move(o));
  }
  std::vector<std::string> dirs;
  for (const auto& a : request.c_args)
    if (a.size() > 2 && a.compare(0, 2, "-L") == 0) dirs.push_back(a.substr(2));
  dirs.insert(dirs.end(), request.search_dirs.begin(), request.search_dirs.end());
  // C archives: members are parsed only when chosen, found through the
  // archive's symbol index (an archive without one is parsed whole and
  // indexed here).
  struct CArchive {
    std::string path;
    elf::FileBytes file;  // the listing's views point into it (or into memory_files)
    std::span<const uint8_t> bytes;
    elf::ArchiveListing listing;
    std::vector<std::optional<obj::Object>> parsed;
    std::vector<bool> chosen;
  };
  std::vector<CArchive> archives;
  auto add_archive = [&](const std::string& path) -> Status {
    CArchive c;
    c.path = path;
    if (auto bytes = in_memory(path)) {
      c.bytes = *bytes;
    } else {
      auto file = elf::read_file_bytes(path);
      if (!file) return file.error();
      c.file = std::move(*file);
      c.bytes = c.file.bytes();
    }
    if (!is_archive(c.bytes)) {  // an object named like an archive: linked whole
      auto o = elf::read_relocatable(c.bytes, path, elf::ReadOptions{.loadable_only = true});
      if (!c.file.intact()) return changed_while_read(path);
      if (!o) return o.error();
      objects.push_back(std::move(*o));
      return ok_status();
    }
    auto listing = elf::list_archive(c.bytes, path);
    if (!c.file.intact()) return changed_while_read(path);
    if (!listing) return listing.error();
    c.listing = std::move(*listing);
    c.parsed.resize(c.listing.members.size());
    c.chosen.assign(c.listing.members.size(), false);
    if (!c.listing.has_index) {
      for (size_t m = 0; m < c.listing.members.size(); ++m) {
        const auto& member = c.listing.members[m];
        auto o = elf::read_relocatable(member.bytes, path + "(" + member.name + ")",
                                       elf::ReadOptions{.loadable_only = true});
        if (!o) return c.file.intact() ? o.error() : changed_while_read(path);
        c.parsed[m] = std::move(*o);
      }
      // The index ar would have written: views into the parsed names.
      for (size_t m = 0; m < c.parsed.size(); ++m)
        for (const auto& sym : c.parsed[m]->symbols)
          if (sym.binding != obj::Binding::Local && !sym.name.empty() && (sym.defined() || sym.common))
            c.listing.index.emplace(sym.name, m);
    }
    archives.push_back(std::move(c));
    return ok_status();
  };
  for (const auto& a : request.c_args) {
    if (a.size() > 2 && a.compare(0, 2, "-l") == 0) {
      if (const std::string lib = "lib" + a.substr(2) + ".a"; in_memory(lib)) {
        if (auto st = add_archive(lib); !st) return st.error();
        continue;
      }
      auto src = find_library(a.substr(2), dirs);
      if (!src) return make_error(group_name, ": ", src.error().message);
      if (src->kind == LibrarySource::Shared) {
        dlerror();
        void* h = dlopen(src->path.c_str(), RTLD_NOW | RTLD_GLOBAL);
        if (h == nullptr) {
          const char* why = dlerror();
          return make_error(src->path, ": cannot load: ", why ? why : "dlopen failed");
        }
        opened.handles.push_back(h);
      } else if (src->kind == LibrarySource::Archive) {
        if (auto st = add_archive(src->path); !st) return st.error();
      }
    } else if (!a.empty() && a[0] != '-') {
      if (a.size() > 2 && a.compare(a.size() - 2, 2, ".a") == 0) {
        if (auto st = add_archive(a); !st) return st.error();
      } else {
        auto os = read_any(a);
        if (!os) return os.error();
        for (auto& o : *os) objects.push_back(std::move(o));
      }
    }  // other flags (-Wl,..., -pthread, -O2) mean nothing here
  }

  // ---- choose archive members: for each symbol still needed, the first
  // archive member (in -l order) that defines it, to a fixed point.
  // Views of the objects' symbol names (the objects are not touched until
  // the selection is over).
  NameIndex defined;  // global definitions in the group, names looked for (the value means nothing)
  std::vector<std::string_view> needed;
  std::unordered_map<std::string_view, bool> outside;  // name -> resolved outside the group
  auto take = [&](const obj::Object& o) {
    for (const auto& sym : o.symbols) {
      if (sym.binding == obj::Binding::Local || sym.name.empty()) continue;
      if (sym.defined() || sym.common) defined.try_insert(sym.name, 0);
      else if (sym.binding == obj::Binding::Global) needed.push_back(sym.name);
    }
  };
  if (!archives.empty()) {  // without C archives there is nothing to choose
    size_t symbol_count = 0;
    for (const auto& o : objects) symbol_count += o.symbols.size();
    defined.reserve(symbol_count / 2);  // about half are global
    needed.reserve(symbol_count);
    for (const auto& o : objects) take(o);
  }
  // The shared libraries of this group, by handle (see LinkOptions::group_resolver).
  ExternalResolver in_opened = [&opened](const std::string& name) -> std::optional<uint64_t> {
    for (void* h : opened.handles) {
      dlerror();
      void* p = dlsym(h, name.c_str());
      if (dlerror() == nullptr) return reinterpret_cast<uint64_t>(p);
    }
    return std::nullopt;
  };
  auto still_needed = [&](std::string_view name) {
    if (defined.find(name) != nullptr) return false;
    auto it = outside.find(name);
    if (it == outside.end()) {
      const std::string n(name);
      const bool found = linker_.lookup_linked(n) || in_opened(n) || linker_.lookup(n);
      it = outside.emplace(name, found).first;
    }
    return !it->second;
  };
  if (!archives.empty()) {
    while (!needed.empty()) {
      std::vector<std::string_view> wanted;
      wanted.swap(needed);
      for (const auto& n : wanted) {
        if (!still_needed(n)) continue;
        for (auto& c : archives) {
          auto it = c.listing.index.find(n);
          if (it == c.listing.index.end()) continue;
          const size_t m = it->second;
          if (!c.chosen[m]) {
            if (!c.parsed[m]) {
              const auto& member = c.listing.members[m];
              auto o = elf::read_relocatable(member.bytes, c.path + "(" + member.name + ")",
                                             elf::ReadOptions{.loadable_only = true});
              if (!o) return c.file.intact() ? o.error() : changed_while_read(c.path);
              c.parsed[m] = std::move(*o);
            }
            c.chosen[m] = true;
            take(*c.parsed[m]);
          }
          break;
        }
        // Looked for once: if no member defines it after all (a stale
        // index), the link reports it undefined.
        defined.try_insert(n, 0);
      }
    }
  }
  for (auto& c : archives) {
    if (!c.file.intact()) return changed_while_read(c.path);
    for (size_t m = 0; m < c.parsed.size(); ++m)
      if (c.chosen[m]) objects.push_back(std::move(*c.parsed[m]));
  }
  archives.clear();
  timings_.read_ns = since(started);

  // ---- merge, link, register the unwind tables.
  const auto link_started = Clock::now();
  auto merged = merge_objects(std::move(objects), group_name, comdats_);
  if (!merged) return merged.error();
  LinkOptions options;
  options.unwind_info = true;
  options.group_resolver = in_opened;
  auto linked = linker_.link(merged->object, options);
  if (!linked) return linked.error();
  if (linked->eh_frame != 0) __register_frame(reinterpret_cast<void*>(linked->eh_frame));
  for (const auto& c : merged->comdats) comdats_.insert(c);
  opened.keep = true;
  libraries_.push_back(Library{std::move(*linked), std::move(opened.handles), std::move(merged->comdats), false});
  last_object_ = std::move(merged->object);
  timings_.link_ns = since(link_started);
  return static_cast<int>(libraries_.size());
}

void LibraryLinker::run_constructors(int handle) {
  if (handle < 1 || static_cast<size_t>(handle) > libraries_.size()) return;
  Library& lib = libraries_[static_cast<size_t>(handle - 1)];
  if (lib.constructed) return;
  lib.constructed = true;
  // As glibc calls them: (argc, argv, envp).
  static char* no_args[] = {nullptr};
  for (uint64_t c : lib.unit.constructors)
    reinterpret_cast<void (*)(int, char**, char**)>(c)(0, no_args, environ);
}

void LibraryLinker::forget(int handle) {
  if (handle < 1 || static_cast<size_t>(handle) > libraries_.size()) return;
  Library& lib = libraries_[static_cast<size_t>(handle - 1)];
  linker_.forget(lib.unit);
  // Its COMDAT groups are no longer reachable: a later group brings its own.
  for (const auto& c : lib.comdats) comdats_.erase(c);
  lib.comdats.clear();
}

}  // namespace ocamljit::link
