#include "asm/eh_frame.hpp"

#include <cstddef>

namespace ocamljit::assembler {

void build_eh_frame(std::span<const CfiProcedure> procs, std::vector<EhFrameReloc>& relocs,
                    std::vector<uint8_t>& b) {
  b.clear();
  // A CIE (20 bytes) and per FDE 24 bytes plus ~3 per CFA adjustment: one block.
  b.reserve(24 + 32 * procs.size());
  auto u32 = [&](uint32_t v) {
    for (int k = 0; k < 4; ++k) b.push_back(static_cast<uint8_t>(v >> (8 * k)));
  };
  auto uleb = [&](uint64_t v) {
    do {
      uint8_t byte = v & 0x7f;
      v >>= 7;
      b.push_back(static_cast<uint8_t>(byte | (v ? 0x80 : 0)));
    } while (v);
  };
  // Pads the entry that starts at `start` with DW_CFA_nop until it ends
  // `align`-aligned, then writes its length.
  auto finish_entry = [&](size_t start, size_t align) {
    while (b.size() % align) b.push_back(0);
    uint32_t len = static_cast<uint32_t>(b.size() - start - 4);
    for (int k = 0; k < 4; ++k) b[start + k] = static_cast<uint8_t>(len >> (8 * k));
  };
  u32(0);                                   // length, patched
  u32(0);                                   // CIE id
  b.push_back(1);                           // version
  b.push_back('z'); b.push_back('R'); b.push_back(0);
  b.push_back(1);                           // code alignment factor
  b.push_back(0x78);                        // data alignment factor: -8
  b.push_back(16);                          // return address column
  b.push_back(1);                           // augmentation data length
  b.push_back(0x1b);                        // FDE pointers: pc-relative sdata4
  b.push_back(0x0c); b.push_back(7); b.push_back(8);  // DW_CFA_def_cfa: rsp, 8
  b.push_back(0x90); b.push_back(1);                  // DW_CFA_offset: r16 at cfa-8
  finish_entry(0, 4);
  for (size_t pi = 0; pi < procs.size(); ++pi) {
    const CfiProcedure& p = procs[pi];
    const size_t fde = b.size();
    u32(0);                                 // length, patched
    u32(static_cast<uint32_t>(b.size()));   // distance back to the CIE at 0
    relocs.push_back(EhFrameReloc{b.size(), p.section, static_cast<int64_t>(p.start)});
    u32(0);                                 // pc begin (relocated)
    u32(static_cast<uint32_t>(p.end - p.start));
    b.push_back(0);                         // augmentation data length
    uint64_t at = p.start;
    int64_t cfa = 8;
    for (const auto& [to, delta] : p.adjustments) {
      const uint64_t adv = to - at;
      if (adv == 0) {
        // Same address: no advance.
      } else if (adv < 0x40) {
        b.push_back(static_cast<uint8_t>(0x40 | adv));  // DW_CFA_advance_loc
      } else if (adv < 0x100) {
        b.push_back(0x02);
        b.push_back(static_cast<uint8_t>(adv));
      } else if (adv < 0x10000) {
        b.push_back(0x03);
        b.push_back(static_cast<uint8_t>(adv));
        b.push_back(static_cast<uint8_t>(adv >> 8));
      } else {
        b.push_back(0x04);
        u32(static_cast<uint32_t>(adv));
      }
      at = to;
      cfa = static_cast<int64_t>(static_cast<uint64_t>(cfa) + static_cast<uint64_t>(delta));
      b.push_back(0x0e);                    // DW_CFA_def_cfa_offset
      uleb(static_cast<uint64_t>(cfa));
    }
    // GNU as aligns FDEs to 4 bytes, the last one to the section's 8.
    finish_entry(fde, pi + 1 == procs.size() ? 8 : 4);
  }
}

}  // namespace ocamljit::assembler
