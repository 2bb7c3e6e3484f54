// Names defined by the program that embeds ocamljit (host primitives): an
// `external f : ... = "name"` in a phrase links to the function the host
// registered under "name". Consulted before the process's own symbols, so a
// host needs neither -rdynamic nor an exported C symbol for its primitives.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "link/linker.hpp"
#include "support/error.hpp"

namespace ocamljit::link {

// Registers `name` at `address`. A name is defined once: redefining it with
// another address is an error (units linked earlier keep the old address).
Status define_host_symbol(const std::string& name, uint64_t address);

std::optional<uint64_t> host_symbol(const std::string& name);

// A resolver that asks the host's registry first, then `next`.
ExternalResolver with_host_symbols(ExternalResolver next);

}  // namespace ocamljit::link
