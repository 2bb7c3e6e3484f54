// The two jobs of ocamljit-mktop: build a toplevel (compile the user's .ml,
// resolve the packages with ocamlfind, embed the interfaces, link with
// ocamlopt through a temporary directory so that a failure leaves no
// executable behind), and pack interfaces into an object (used by the build
// for ocamljit's own stdlib interfaces).
#pragma once

#include "mktop/options.hpp"
#include "support/error.hpp"

namespace ocamljit::mktop {

Status build_toplevel(const Options& options);

Status pack_interfaces(const Options& options);

}  // namespace ocamljit::mktop
