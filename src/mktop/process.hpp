// Running the build tools ocamljit-mktop drives (ocamlfind, ocamlopt).
#pragma once

#include <string>
#include <vector>

#include "support/error.hpp"

namespace ocamljit::mktop {

// Runs argv[0] (looked up in PATH) and returns its standard output; its
// standard error goes to ours. A non-zero exit is an error naming the program.
Result<std::string> run(const std::vector<std::string>& argv, bool echo);

}  // namespace ocamljit::mktop
