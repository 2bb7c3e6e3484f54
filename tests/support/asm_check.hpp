// TEST-ONLY. Assembles the same GAS text with our assembler (through the
// test-only parser) and with GNU as, and compares the objects.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "asm/assembler.hpp"
#include "object/elf/writer.hpp"
#include "support/elf_compare.hpp"
#include "support/gas_parser.hpp"

namespace ocamljit::testing {

// Our ELF bytes for `text`, or a failure message in `error`.
inline std::vector<uint8_t> assemble_text(const std::string& text, std::string& error) {
  auto prog = parse_gas(text);
  if (!prog) { error = "parse: " + prog.error().message; return {}; }
  auto o = assembler::assemble(*prog, "test");
  if (!o) { error = o.error().message; return {}; }
  auto elf = elf::write_relocatable(*o);
  if (!elf) { error = elf.error().message; return {}; }
  return std::move(elf.value());
}

inline std::string excerpt(const std::string& text) {
  return text.size() < 1500 ? text : text.substr(0, 1500) + "...\n";
}

inline ::testing::AssertionResult same_as_gas(const std::string& text) {
  std::string error;
  auto ours = assemble_text(text, error);
  if (ours.empty()) return ::testing::AssertionFailure() << error << "\nin:\n" << excerpt(text);
  std::string diag;
  auto theirs = run_gnu_as(text, &diag);
  if (theirs.empty()) return ::testing::AssertionFailure() << "as failed: " << diag << "\nin:\n" << excerpt(text);
  std::string d = compare_objects(read_elf(ours), read_elf(theirs));
  if (!d.empty()) return ::testing::AssertionFailure() << d << "in:\n" << excerpt(text);
  return ::testing::AssertionSuccess();
}

// Wraps instruction lines into a minimal unit.
inline std::string in_text(const std::string& body) {
  return "\t.text\n" + body + "\n";
}

}  // namespace ocamljit::testing
