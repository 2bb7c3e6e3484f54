#include "mktop/options.hpp"

namespace ocamljit::mktop {

const char* const kUsage =
    "Usage: ocamljit-mktop [options] [files] -o NAME\n"
    "Builds a native ocamljit toplevel with libraries linked in and their\n"
    "interfaces embedded (it runs without the OCaml installation).\n"
    "  -package P,...     link findlib packages P... (usable from the first phrase)\n"
    "  -I DIR             search DIR for files and interfaces\n"
    "  -no-embed P,...    do not embed the interfaces of package P (or 'stdlib', or 'all')\n"
    "  -ccopt OPT         pass OPT to the C linker\n"
    "  -cclib LIB         pass LIB to the C linker\n"
    "  -o NAME            the executable to write (default a.out)\n"
    "  -verbose           print the commands run\n"
    "  -pack-interfaces   write an object embedding the given .cmi/.cmx files (-o FILE.o)\n"
    "Files: .ml .mli (compiled), .cmx .cmxa .o .a (linked in the order given).\n";

namespace {

void split_commas(const std::string& s, std::vector<std::string>& out) {
  size_t start = 0;
  while (start <= s.size()) {
    size_t comma = s.find(',', start);
    if (comma == std::string::npos) comma = s.size();
    std::string item = s.substr(start, comma - start);
    // findlib also accepts blanks between names.
    while (!item.empty() && item.front() == ' ') item.erase(item.begin());
    while (!item.empty() && item.back() == ' ') item.pop_back();
    if (!item.empty()) out.push_back(item);
    start = comma + 1;
  }
}

}  // namespace

Result<Options> parse_options(const std::vector<std::string>& args) {
  Options o;
  bool output_given = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&](std::string& out) -> Status {
      if (i + 1 >= args.size()) return make_error("option ", a, " needs an argument");
      out = args[++i];
      return ok_status();
    };
    std::string v;
    if (a == "-package" || a == "-packages" || a == "-no-embed" || a == "-I" || a == "-o" ||
        a == "-ccopt" || a == "-cclib") {
      if (Status s = value(v); !s) return s.error();
      if (a == "-package" || a == "-packages") split_commas(v, o.packages);
      else if (a == "-no-embed") split_commas(v, o.no_embed);
      else if (a == "-I") o.include_dirs.push_back(v);
      else if (a == "-o") { o.output = v; output_given = true; }
      else { o.link_flags.push_back(a); o.link_flags.push_back(v); }
    } else if (a == "-linkpkg" || a == "-linkall") {
      // Implied: everything given is linked, in full.
    } else if (a == "-verbose" || a == "-v") {
      o.verbose = true;
    } else if (a == "-pack-interfaces") {
      o.pack_interfaces = true;
    } else if (a == "-help" || a == "--help" || a == "-h") {
      o.help = true;
    } else if (!a.empty() && a[0] == '-') {
      return make_error("unknown option ", a, " (see -help)");
    } else {
      o.files.push_back(a);
    }
  }
  for (const std::string& p : o.packages)
    if (p[0] == '-') return make_error("bad package name ", p);
  if (o.output.empty()) return make_error("-o needs a non-empty name");
  if (o.pack_interfaces && !output_given) return make_error("-pack-interfaces needs -o FILE.o");
  return o;
}

}  // namespace ocamljit::mktop
