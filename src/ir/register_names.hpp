// GNU as names of the IR's registers, indexed in X86_ast's order (Reg64,
// Reg8H): shared by the GAS printer, the assembler's messages and the
// test-only GAS parser.
#pragma once

namespace ocamljit::ir {

inline constexpr const char* kReg64Names[16] = {"rax", "rbx", "rcx", "rdx", "rsp", "rbp",
                                                "rsi", "rdi", "r8",  "r9",  "r10", "r11",
                                                "r12", "r13", "r14", "r15"};
inline constexpr const char* kReg32Names[16] = {"eax", "ebx", "ecx",  "edx",  "esp",  "ebp",
                                                "esi", "edi", "r8d",  "r9d",  "r10d", "r11d",
                                                "r12d", "r13d", "r14d", "r15d"};
inline constexpr const char* kReg16Names[16] = {"ax",  "bx",  "cx",   "dx",   "sp",   "bp",
                                                "si",  "di",  "r8w",  "r9w",  "r10w", "r11w",
                                                "r12w", "r13w", "r14w", "r15w"};
inline constexpr const char* kReg8LNames[16] = {"al",  "bl",  "cl",   "dl",   "spl",  "bpl",
                                                "sil", "dil", "r8b",  "r9b",  "r10b", "r11b",
                                                "r12b", "r13b", "r14b", "r15b"};
inline constexpr const char* kReg8HNames[4] = {"ah", "bh", "ch", "dh"};

}  // namespace ocamljit::ir
