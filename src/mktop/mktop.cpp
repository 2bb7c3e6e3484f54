#include "mktop/mktop.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "cmi_bundle/bundle.hpp"
#include "mktop/process.hpp"

namespace fs = std::filesystem;

namespace ocamljit::mktop {
namespace {

// What every toplevel links besides the user's packages, as a findlib
// package written for the link (so that ocamlfind orders the archives): the
// compiler's libraries, the toplevel (ocamljit.cmxa) on them, and findlib's
// toplevel support on the toplevel, so that a later #require knows which
// packages are already in the executable.
const char* const kToplevelPackage = "ocamljit_mktop";
const char* const kToplevelWithTopfind = "ocamljit_mktop.topfind";
// (No dynlink: the external loader uses the runtime's natdynlink primitives.)
const std::vector<std::string> kCompilerPackages = {
    "compiler-libs.common", "compiler-libs.optcomp", "compiler-libs.bytecomp"};
// The REPL's line editor (src/repl) and its libraries, packed as in ocamljit:
// linked in memory on a terminal only (src/repl/repl_loader.ml). A user's
// package among them (lwt.unix...) is linked in the executable too; the
// loader then skips that library. -thread on every compile and link, for
// packages that need the system threads library.
const char* const kReplBundle = "ocamljit_repl_bundle.o";

const char* const kInitModule = "ocamljit_mktop_init";

struct Package {
  std::string name, dir;
};

bool starts_with(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

std::string join(const std::vector<std::string>& v, const char* sep) {
  std::string s;
  for (const std::string& x : v) s += (s.empty() ? "" : sep) + x;
  return s;
}

Result<std::string> read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(path.string(), ": cannot read");
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// The directory with ocamljit.cmxa and the engine: PREFIX/lib/ocamljit next
// to PREFIX/bin where this program is (also _build/lib/ocamljit in the tree).
Result<fs::path> library_dir() {
  std::error_code ec;
  fs::path self = fs::canonical("/proc/self/exe", ec);
  if (ec) return make_error("cannot locate this program: ", ec.message());
  fs::path dir = self.parent_path().parent_path() / "lib" / "ocamljit";
  for (const char* file : {"ocamljit.cmxa", kReplBundle})
    if (!fs::exists(dir / file))
      return make_error("the toplevel library is missing: ", (dir / file).string(), " (installed by `make install`)");
  return dir;
}

// A file's kind from its name, checked against its first bytes so that a
// non-object is reported here, with its name, rather than by the linker.
Status check_file(const std::string& file) {
  std::error_code ec;
  if (!fs::is_regular_file(file, ec)) return make_error(file, ": no such file");
  std::string ext = fs::path(file).extension().string();
  std::string magic;
  if (ext == ".o") magic = "\x7f" "ELF";
  else if (ext == ".a") magic = "!<arch>\n";
  else if (ext == ".cmx") magic = "Caml1999Y";
  else if (ext == ".cmxa") magic = "Caml1999Z";
  else if (ext == ".ml" || ext == ".mli") return ok_status();
  else return make_error(file, ": don't know what to do with this file (expected .ml, .mli, .cmx, .cmxa, .o or .a)");
  std::ifstream in(file, std::ios::binary);
  std::string head(magic.size(), '\0');
  if (!in.read(head.data(), static_cast<std::streamsize>(head.size())) || head != magic)
    return make_error(file, ": not ", ext == ".o" ? "an ELF object file" : ext == ".a" ? "an archive"
                                     : ext == ".cmx" ? "a native compilation unit" : "a native library");
  return ok_status();
}

// Packages and their dependencies, dependencies first (ocamlfind query -recursive).
Result<std::vector<Package>> resolve(const std::vector<std::string>& names, bool echo) {
  std::vector<std::string> argv = {"ocamlfind", "query", "-predicates", "native,create_toploop,mt,mt_posix", "-recursive",
                                   "-format", "%p\t%d"};
  argv.insert(argv.end(), names.begin(), names.end());
  auto out = run(argv, echo);
  if (!out) return make_error("cannot resolve the packages ", join(names, ", "), " (see above)");
  std::vector<Package> packages;
  std::istringstream lines(*out);
  for (std::string line; std::getline(lines, line);) {
    size_t tab = line.find('\t');
    if (tab != std::string::npos) packages.push_back({line.substr(0, tab), line.substr(tab + 1)});
  }
  return packages;
}

bool excluded(const std::vector<std::string>& no_embed, const std::string& package) {
  return std::any_of(no_embed.begin(), no_embed.end(), [&](const std::string& p) {
    return p == "all" || p == package || starts_with(package, p + ".");
  });
}

// Adds the files of `dir` with one of `extensions`; a name already present
// keeps its first file (the stdlib, then packages in dependency order).
Status collect(const fs::path& dir, const std::vector<std::string>& extensions,
               std::vector<cmi_bundle::File>& files, std::set<std::string>& seen) {
  std::error_code ec;
  std::vector<fs::path> found;
  for (const auto& entry : fs::directory_iterator(dir, ec))
    if (entry.is_regular_file() &&
        std::find(extensions.begin(), extensions.end(), entry.path().extension().string()) != extensions.end())
      found.push_back(entry.path());
  if (ec) return make_error(dir.string(), ": ", ec.message());
  std::sort(found.begin(), found.end());
  for (const fs::path& f : found) {
    std::string name = f.filename().string();
    if (!seen.insert(name).second) continue;
    auto bytes = read_file(f);
    if (!bytes) return bytes.error();
    files.push_back({name, std::vector<uint8_t>(bytes->begin(), bytes->end())});
  }
  return ok_status();
}

Status write_object(const std::vector<cmi_bundle::File>& files, const fs::path& output) {
  auto blob = cmi_bundle::pack(files);
  if (!blob) return blob.error();
  auto object = cmi_bundle::to_object(*blob);
  if (!object) return object.error();
  std::ofstream out(output, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(object->data()), static_cast<std::streamsize>(object->size()));
  if (!out.flush()) return make_error(output.string(), ": cannot write");
  return ok_status();
}

std::string ocaml_string(const std::string& s) {
  std::string r = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') r += '\\';
    r += c;
  }
  return r + "\"";
}

std::string ocaml_list(const std::vector<std::string>& items) {
  std::string r = "[";
  for (const std::string& s : items) r += (r.size() > 1 ? "; " : " ") + ocaml_string(s);
  return r + " ]";
}

// A temporary directory next to the output (a rename into place is then
// atomic), removed on every path out.
class WorkDir {
 public:
  static Result<WorkDir> create(const fs::path& output) {
    fs::path parent = output.parent_path().empty() ? fs::path(".") : output.parent_path();
    std::string templ = (parent / ("." + output.filename().string() + ".mktop-XXXXXX")).string();
    if (mkdtemp(templ.data()) == nullptr)
      return make_error(parent.string(), ": cannot create a temporary directory");
    return WorkDir(templ);
  }
  WorkDir(WorkDir&& other) noexcept : path_(std::move(other.path_)) { other.path_.clear(); }
  WorkDir(const WorkDir&) = delete;
  WorkDir& operator=(const WorkDir&) = delete;
  WorkDir& operator=(WorkDir&&) = delete;
  ~WorkDir() {
    std::error_code ec;
    if (!path_.empty()) fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  explicit WorkDir(fs::path p) : path_(std::move(p)) {}
  fs::path path_;
};

}  // namespace

Status pack_interfaces(const Options& o) {
  std::vector<cmi_bundle::File> files;
  for (const std::string& f : o.files) {
    auto bytes = read_file(f);
    if (!bytes) return bytes.error();
    files.push_back({fs::path(f).filename().string(), std::vector<uint8_t>(bytes->begin(), bytes->end())});
  }
  return write_object(files, o.output);
}

namespace {

// The toplevel as a findlib package, for one link: ocamljit.cmxa on the
// compiler's libraries, findlib's toplevel support on it (ocamlfind then
// orders the archives).
Status write_toplevel_package(const fs::path& root, const fs::path& libdir, const std::string& findlib_dir) {
  for (const std::string& dir : {libdir.string(), findlib_dir})
    if (dir.empty() || dir.find_first_of("\"\\") != std::string::npos)
      return make_error("unusable directory for a findlib package: '", dir, "'");
  fs::path meta_file = root / kToplevelPackage / "META";
  std::error_code ec;
  fs::create_directories(meta_file.parent_path(), ec);
  std::ofstream meta(meta_file);
  meta << "description = \"the ocamljit toplevel (for ocamljit-mktop)\"\n"
       << "requires = \"" << join(kCompilerPackages, " ") << "\"\n"
       << "directory = \"" << libdir.string() << "\"\n"
       << "archive(native) = \"ocamljit.cmxa\"\n"
       << "package \"topfind\" (\n"
       << "  requires = \"" << kToplevelPackage << " findlib.internal\"\n"
       << "  directory = \"" << findlib_dir << "\"\n"
       << "  archive(native) = \"findlib_top.cmxa\"\n"
       << ")\n";
  if (!meta.flush()) return make_error(meta_file.string(), ": cannot write");
  return ok_status();
}

// Compiles the .ml/.mli files; returns what to link, in the order given.
Result<std::vector<std::string>> compile_sources(const Options& o, const std::vector<std::string>& common) {
  std::vector<std::string> objects;
  for (const std::string& f : o.files) {
    std::string ext = fs::path(f).extension().string();
    if (ext != ".ml" && ext != ".mli") {
      objects.push_back(f);
      continue;
    }
    // Its own directory first: its .mli's .cmi, and its neighbours', are there.
    std::string dir = fs::path(f).parent_path().string();
    std::vector<std::string> argv = {"ocamlfind", "ocamlopt", "-c", "-I", dir.empty() ? "." : dir};
    argv.insert(argv.end(), common.begin(), common.end());
    argv.push_back(f);
    if (auto r = run(argv, o.verbose); !r) return make_error("cannot compile ", f, " (see above)");
    if (ext == ".ml") objects.push_back(fs::path(f).replace_extension(".cmx").string());
  }
  return objects;
}

// The interfaces to embed: the stdlib's, the packages' (dependencies first),
// then those of the user's directories; a name keeps its first file.
Result<std::vector<cmi_bundle::File>> collect_interfaces(const Options& o, const std::string& stdlib_dir,
                                                         const std::vector<Package>& packages,
                                                         const std::vector<std::string>& objects) {
  std::vector<cmi_bundle::File> files;
  std::set<std::string> seen, dirs_done;
  const std::vector<std::string> interfaces = {".cmi", ".cmx"};
  auto add_dir = [&](const std::string& dir, const std::vector<std::string>& extensions) -> Status {
    if (!dirs_done.insert(dir).second) return ok_status();
    return collect(dir, extensions, files, seen);
  };
  if (!excluded(o.no_embed, "stdlib")) {
    // The stdlib directory also holds other libraries' .cmx (unix, str...), not linked in.
    if (Status s = add_dir(stdlib_dir, {".cmi"}); !s) return s.error();
    std::vector<cmi_bundle::File> cmx;
    std::set<std::string> none;
    if (Status s = collect(stdlib_dir, {".cmx"}, cmx, none); !s) return s.error();
    for (cmi_bundle::File& f : cmx)
      if ((starts_with(f.name, "stdlib") || starts_with(f.name, "camlinternal")) && seen.insert(f.name).second)
        files.push_back(std::move(f));
  }
  for (const Package& p : packages)
    if (!excluded(o.no_embed, p.name))
      if (Status s = add_dir(p.dir, interfaces); !s) return s.error();
  if (excluded(o.no_embed, "all")) return files;
  for (const std::string& d : o.include_dirs)
    if (Status s = add_dir(d, interfaces); !s) return s.error();
  for (const std::string& f : objects) {
    std::string ext = fs::path(f).extension().string();
    if (ext != ".cmx" && ext != ".cmxa") continue;
    std::string dir = fs::path(f).parent_path().string();
    if (Status s = add_dir(dir.empty() ? "." : dir, interfaces); !s) return s.error();
  }
  return files;
}

// Runs before the toplevel: the linked packages are recorded as findlib's
// ocamlmktop does (a later #require loads nothing twice), and the packages'
// directories join the load path (their .cmx, when installed, allow inlining).
Status write_init_module(const fs::path& file, const std::vector<std::string>& recorded,
                         const std::vector<std::string>& directories) {
  std::ofstream out(file);
  out << "(* Generated by ocamljit-mktop. *)\n"
      << "let () =\n"
      << "  List.iter (Findlib.record_package Findlib.Record_core)\n    " << ocaml_list(recorded) << ";\n"
      << "  Clflags.include_dirs :=\n    List.rev_append " << ocaml_list(directories)
      << " !Clflags.include_dirs\n";
  if (!out.flush()) return make_error(file.string(), ": cannot write");
  return ok_status();
}

}  // namespace

Status build_toplevel(const Options& o) {
  for (const std::string& f : o.files)
    if (Status s = check_file(f); !s) return s;
  auto libdir = library_dir();
  if (!libdir) return libdir.error();

  std::vector<std::string> wanted = kCompilerPackages;
  wanted.push_back("findlib.top");
  wanted.insert(wanted.end(), o.packages.begin(), o.packages.end());
  auto linked = resolve(wanted, o.verbose);
  if (!linked) return linked.error();
  // The user's packages with their dependencies (interfaces and directories to add).
  auto user = o.packages.empty() ? Result<std::vector<Package>>(std::vector<Package>{}) : resolve(o.packages, false);
  if (!user) return user.error();
  auto stdlib = run({"ocamlfind", "ocamlopt", "-where"}, o.verbose);
  if (!stdlib) return stdlib.error();
  std::string stdlib_dir = trim(*stdlib);
  std::string findlib_dir;
  for (const Package& p : *linked) {
    if (p.name == "findlib.top") findlib_dir = p.dir;
    // Debian's stdlib directory has a copy of compiler-libs' topdirs.cmi: not worth a warning.
    if (p.name == "compiler-libs.common") setenv("OCAMLFIND_IGNORE_DUPS_IN", p.dir.c_str(), 1);
  }

  auto work = WorkDir::create(o.output);
  if (!work) return work.error();
  const fs::path& tmp = work->path();
  if (Status s = write_toplevel_package(tmp, *libdir, findlib_dir); !s) return s;
  const char* ocamlpath = std::getenv("OCAMLPATH");
  std::string path = tmp.string() + (ocamlpath && *ocamlpath ? ":" + std::string(ocamlpath) : "");
  setenv("OCAMLPATH", path.c_str(), 1);

  std::vector<std::string> link_packages = {kToplevelWithTopfind};
  link_packages.insert(link_packages.end(), o.packages.begin(), o.packages.end());
  std::vector<std::string> common = {"-thread", "-package", join(link_packages, ",")};
  for (const std::string& d : o.include_dirs) { common.push_back("-I"); common.push_back(d); }

  auto objects = compile_sources(o, common);
  if (!objects) return objects.error();

  std::vector<std::string> link_inputs;
  auto interfaces = collect_interfaces(o, stdlib_dir, *user, *objects);
  if (!interfaces) return interfaces.error();
  if (!interfaces->empty()) {
    fs::path object = tmp / "embedded_interfaces.o";
    if (Status s = write_object(*interfaces, object); !s) return s;
    link_inputs.push_back(object.string());
  }

  std::vector<std::string> recorded;
  for (const Package& p : *linked) recorded.push_back(p.name);
  recorded.push_back("findlib");
  std::vector<std::string> package_dirs;
  for (const Package& p : *user)
    if (p.dir != stdlib_dir && std::find(package_dirs.begin(), package_dirs.end(), p.dir) == package_dirs.end())
      package_dirs.push_back(p.dir);
  fs::path init = tmp / (std::string(kInitModule) + ".ml");
  if (Status s = write_init_module(init, recorded, package_dirs); !s) return s;
  link_inputs.push_back(init.string());

  fs::path staged = tmp / fs::path(o.output).filename();
  std::vector<std::string> argv = {"ocamlfind", "ocamlopt", "-linkpkg", "-linkall"};
  argv.insert(argv.end(), common.begin(), common.end());
  argv.insert(argv.end(), {"-I", tmp.string()});
  argv.insert(argv.end(), objects->begin(), objects->end());
  argv.insert(argv.end(), link_inputs.begin(), link_inputs.end());
  argv.push_back((*libdir / "ocamljit_main.cmx").string());
  argv.push_back((*libdir / kReplBundle).string());
  argv.insert(argv.end(), {"-ccopt", "-L" + libdir->string()});
  // The toplevel's runtime defaults (src/toplevel/runtime_defaults_stubs.cpp), linked by name.
  argv.insert(argv.end(), {"-ccopt", "-Wl,-u,ocamljit_toplevel_runtime_defaults"});
  // Position-dependent, as ocamljit: a faster start (no dynamic relocations).
  argv.insert(argv.end(), {"-ccopt", "-no-pie"});
  argv.insert(argv.end(), o.link_flags.begin(), o.link_flags.end());
  argv.insert(argv.end(), {"-o", staged.string()});
  if (auto r = run(argv, o.verbose); !r) return make_error("linking ", o.output, " failed (see above); nothing written");
  std::error_code ec;
  fs::rename(staged, o.output, ec);
  if (ec) return make_error(o.output, ": ", ec.message());
  return ok_status();
}

}  // namespace ocamljit::mktop
