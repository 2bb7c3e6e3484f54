// The .eh_frame section GNU as writes for OCaml's CFI directives
// (.cfi_startproc, .cfi_adjust_cfa_offset, .cfi_endproc).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

namespace ocamljit::assembler {

// One procedure, with final offsets within its section.
struct CfiProcedure {
  uint32_t section = 0;   // caller's section id (passed back in EhFrameReloc)
  uint64_t start = 0, end = 0;
  std::span<const std::pair<uint64_t, int64_t>> adjustments;  // at offset, CFA offset += delta
};

// A pc-relative 32-bit reference from the FDE at `offset` to `section` + `addend`.
struct EhFrameReloc {
  uint64_t offset = 0;
  uint32_t section = 0;
  int64_t addend = 0;
};

// One CIE (x86-64 entry state: CFA = %rsp + 8, return address at CFA - 8)
// and one FDE per procedure, in order, byte for byte as GNU as 2.40, into
// `out` (cleared first; its memory reused); `relocs` gets the FDEs' references.
void build_eh_frame(std::span<const CfiProcedure> procs, std::vector<EhFrameReloc>& relocs,
                    std::vector<uint8_t>& out);

}  // namespace ocamljit::assembler
