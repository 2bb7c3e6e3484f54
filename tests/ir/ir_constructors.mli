(** Writes [DIR/ir/all.ir] and [DIR/ref/all.s]: one [X86_ast] program using
    every constructor of [X86_ast] that the GAS printer accepts (and every
    register, condition, rounding mode, data type and addressing shape),
    serialised by [X86_ir] and printed by the compiler's own [X86_gas]; and
    [DIR/ir/masm.ir], the MASM-only lines. The C++ printer must reproduce
    [all.s] from [all.ir] (tests/unit/ir_decode_test.cpp). Usage:
    [ir_constructors DIR]. *)
