// ocamljit-mktop's command line, in the manner of `ocamlfind ocamlmktop`.
#pragma once

#include <string>
#include <vector>

#include "support/error.hpp"

namespace ocamljit::mktop {

struct Options {
  std::vector<std::string> packages;      // -package P,Q (findlib names)
  std::vector<std::string> include_dirs;  // -I DIR
  std::vector<std::string> files;         // .ml .mli .cmx .cmxa .o .a, in link order
  std::vector<std::string> no_embed;      // -no-embed P: a package, "stdlib" or "all"
  std::vector<std::string> link_flags;    // -ccopt X / -cclib X, passed to ocamlopt
  std::string output = "a.out";           // -o NAME
  bool verbose = false;                   // -verbose: echo every command
  bool pack_interfaces = false;           // -pack-interfaces: only write the bundle object
  bool help = false;
};

Result<Options> parse_options(const std::vector<std::string>& args);

extern const char* const kUsage;

}  // namespace ocamljit::mktop
