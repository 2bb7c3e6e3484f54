// ocamljit-mktop: native ocamljit toplevels with libraries linked in.
#include <cstdio>
#include <string>
#include <vector>

#include "mktop/mktop.hpp"
#include "mktop/options.hpp"

int main(int argc, char** argv) {
  using namespace ocamljit::mktop;
  std::vector<std::string> args(argv + 1, argv + argc);
  auto options = parse_options(args);
  if (!options) {
    std::fprintf(stderr, "ocamljit-mktop: %s\n", options.error().message.c_str());
    return 2;
  }
  if (options->help) {
    std::fputs(kUsage, stdout);
    return 0;
  }
  ocamljit::Status done = options->pack_interfaces ? pack_interfaces(*options) : build_toplevel(*options);
  if (!done) {
    std::fprintf(stderr, "ocamljit-mktop: %s\n", done.error().message.c_str());
    return 2;
  }
  return 0;
}
