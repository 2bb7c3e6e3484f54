open X86_ast

let regs = [ RAX; RBX; RCX; RDX; RSP; RBP; RSI; RDI; R8; R9; R10; R11; R12; R13; R14; R15 ]
let conds = [ L; GE; LE; G; B; AE; BE; A; E; NE; O; NO; S; NS; P; NP ]

let mem ?(arch = X64) ?(typ = QWORD) ?(idx = RAX) ?(scale = 0) ?base ?sym displ =
  Mem { arch; typ; idx; scale; base; sym; displ }

(* Operands whose GAS suffix X86_gas can print. *)
let sized =
  List.concat_map (fun r -> [ Reg8L r; Reg16 r; Reg32 r; Reg64 r ]) regs
  @ [ Reg8H AH; Reg8H BH; Reg8H CH; Reg8H DH ]
  @ [ mem 0; mem ~typ:DWORD 8; mem ~typ:WORD (-8); mem ~typ:BYTE ~base:RSP ~idx:RAX ~scale:1 16;
      mem ~typ:QWORD ~idx:RBX ~scale:8 ~base:R12 (-1024);
      mem ~typ:REAL8 ~idx:R15 ~scale:4 ~sym:"caml_young_ptr" 4096;
      mem ~typ:REAL4 ~idx:R9 ~scale:2 ~sym:"label" 0;
      mem ~typ:NONE ~sym:"sym" 0; mem ~typ:QWORD ~sym:"sym" (-3);
      mem ~arch:X86 ~typ:DWORD ~idx:RCX ~scale:1 ~base:RDX 7;
      Mem64_RIP (QWORD, "camlFoo__data", 0); Mem64_RIP (DWORD, "camlFoo__x", -16);
      Mem64_RIP (REAL8, "caml_negf_mask", 24);
      Imm 0L; Imm (-1L); Imm 0x7FFF_FFFFL; Imm (-0x8000_0000L); Imm 0x1_0000_0000L;
      Imm Int64.min_int; Imm Int64.max_int; Sym "camlFoo"; Sym "caml_call_gc@PLT" ]

let xmms = List.init 16 (fun n -> Regf (XMM n))
let sts = List.init 8 (fun n -> Regf (ST n))

let instructions =
  let two f = List.concat_map (fun x -> [ f x (Reg64 RAX); f (Reg32 RCX) x ]) sized in
  let one f = List.map f sized in
  let sse f = List.concat_map (fun x -> [ f x (Regf (XMM 3)); f (Regf (XMM 15)) x ]) (xmms @ sized) in
  let x87m f = List.map f [ mem ~typ:REAL8 0; mem ~typ:REAL4 ~base:RSP ~idx:RAX ~scale:1 8;
                            mem ~typ:DWORD 4; mem ~typ:QWORD 4; mem ~typ:WORD 2 ] in
  let st2 f = List.concat_map (fun x -> [ f x (Regf (ST 0)); f (Regf (ST 0)) x ]) sts in
  List.concat [
    two (fun a b -> ADD (a, b)); sse (fun a b -> ADDSD (a, b)); two (fun a b -> AND (a, b));
    sse (fun a b -> ANDPD (a, b)); one (fun a -> BSWAP a);
    List.map (fun a -> CALL a)
      [ Sym "caml_alloc"; Reg64 RAX; Reg32 RBX; mem ~base:RAX ~idx:RBX ~scale:1 8;
        Mem64_RIP (QWORD, "caml_f@GOTPCREL", 0); mem ~arch:X86 ~sym:"L1" 0 ];
    [ CDQ; CQO ];
    List.concat_map (fun c -> [ CMOV (c, Reg64 RAX, Reg64 R11); CMOV (c, mem 0, Reg32 RDX) ]) conds;
    two (fun a b -> CMP (a, b)); sse (fun a b -> COMISD (a, b));
    sse (fun a b -> CVTSD2SI (a, b)); sse (fun a b -> CVTSD2SS (a, b));
    List.concat_map (fun a -> [ CVTSI2SD (a, Regf (XMM 1)) ]) sized;
    sse (fun a b -> CVTSS2SD (a, b)); two (fun a b -> CVTTSD2SI (a, b));
    one (fun a -> DEC a); sse (fun a b -> DIVSD (a, b));
    [ FABS; FCHS; FCOMPP; FCOS; FLD1; FLDLG2; FLDLN2; FLDZ; FPATAN; FPTAN; FSIN; FSQRT; FYL2X;
      HLT; LEAVE; NOP; RET ];
    x87m (fun a -> FADD a); st2 (fun a b -> FADDP (a, b)); x87m (fun a -> FCOMP a);
    x87m (fun a -> FDIV a); st2 (fun a b -> FDIVP (a, b)); x87m (fun a -> FDIVR a);
    st2 (fun a b -> FDIVRP (a, b)); x87m (fun a -> FILD a); x87m (fun a -> FISTP a);
    x87m (fun a -> FLD a) @ List.map (fun a -> FLD a) sts;
    x87m (fun a -> FLDCW a); x87m (fun a -> FMUL a); st2 (fun a b -> FMULP (a, b));
    x87m (fun a -> FNSTCW a); x87m (fun a -> FNSTSW a) @ [ FNSTSW (Reg16 RAX) ];
    x87m (fun a -> FSTP a) @ List.map (fun a -> FSTP a) sts;
    x87m (fun a -> FSUB a); st2 (fun a b -> FSUBP (a, b)); x87m (fun a -> FSUBR a);
    st2 (fun a b -> FSUBRP (a, b)); List.map (fun a -> FXCH a) sts @ [ FLD (Regf TOS) ];
    one (fun a -> IDIV a); one (fun a -> IMUL (a, None)); two (fun a b -> IMUL (a, Some b));
    one (fun a -> INC a);
    List.concat_map (fun c -> [ J (c, Sym ".L100"); J (c, Reg64 RAX) ]) conds;
    List.map (fun a -> JMP a) [ Sym ".L1"; Reg64 R10; mem ~base:RAX ~idx:RCX ~scale:8 0;
                                mem ~arch:X86 ~sym:".L2" 0 ];
    two (fun a b -> LEA (a, b)); two (fun a b -> MOV (a, b));
    [ MOV (Imm 0x1_0000_0000L, Reg64 RAX); MOV (Imm 5L, Reg64 RAX); MOV (Sym "x", Reg64 RAX) ];
    sse (fun a b -> MOVAPD (a, b)); sse (fun a b -> MOVLPD (a, b)); sse (fun a b -> MOVSD (a, b));
    sse (fun a b -> MOVSS (a, b));
    List.concat_map (fun a -> [ MOVSX (a, Reg64 RAX); MOVZX (a, Reg32 RAX); MOVSXD (a, Reg64 RDX) ])
      [ Reg8L RSI; Reg16 R9; Reg8H AH; mem ~typ:BYTE 1; mem ~typ:WORD 2; mem ~typ:DWORD 3 ];
    sse (fun a b -> MULSD (a, b)); one (fun a -> NEG a); two (fun a b -> OR (a, b));
    one (fun a -> POP a); one (fun a -> PUSH a);
    List.concat_map (fun r -> [ ROUNDSD (r, Regf (XMM 2), Regf (XMM 9));
                                ROUNDSD (r, mem ~typ:REAL8 8, Regf (XMM 0)) ])
      [ RoundUp; RoundDown; RoundNearest; RoundTruncate ];
    List.concat_map (fun a -> [ SAL (Imm 3L, a); SAL (Reg8L RCX, a); SAR (Imm 1L, a);
                                SAR (Reg8L RCX, a); SHR (Imm 63L, a); SHR (Reg8L RCX, a) ]) sized;
    List.concat_map (fun c -> [ SET (c, Reg8L RAX); SET (c, mem ~typ:BYTE 0) ]) conds;
    sse (fun a b -> SQRTSD (a, b)); two (fun a b -> SUB (a, b)); sse (fun a b -> SUBSD (a, b));
    two (fun a b -> TEST (a, b)); sse (fun a b -> UCOMISD (a, b)); two (fun a b -> XCHG (a, b));
    two (fun a b -> XOR (a, b)); sse (fun a b -> XORPD (a, b));
    [ MOVAPD (mem ~typ:OWORD 0, Regf (XMM 4)) ];
  ]

let constants =
  [ Const 0L; Const 1L; Const (-1L); Const 0x7FFF_FFFFL; Const 0x8000_0000L; Const (-0x8000_0000L);
    Const (-0x8000_0001L); Const Int64.min_int; Const Int64.max_int; ConstThis; ConstLabel "camlFoo";
    ConstAdd (ConstLabel "a", Const 8L); ConstSub (ConstLabel "a", ConstThis);
    ConstSub (ConstAdd (ConstLabel ".L1", Const 3L), ConstSub (ConstLabel "b", Const (-1L))) ]

let directives =
  List.concat [
    [ Section ([ ".text" ], None, []); Section ([ ".data" ], Some "aw", [ "@progbits" ]);
      Section ([ ".rodata.cst8" ], Some "aM", [ "@progbits"; "8" ]);
      Section ([ ".note.GNU-stack" ], Some "", [ "%progbits" ]);
      Section ([ ".a"; ".b" ], Some "quote\"back\\slash\n\t\r\b\001\127", []);
      Section ([ ".eh_frame" ], None, [ "x" ]);
      Align (false, 16); Align (true, 8); Space 0; Space 24;
      Global "camlFoo"; Comment "a comment"; Cfi_startproc; Cfi_adjust_cfa_offset 8;
      Cfi_adjust_cfa_offset (-8); Cfi_endproc; Indirect_symbol "x"; Private_extern "y";
      File (1, "foo.ml"); File (2, "we\"ird\\ 0\n12\t3\2554"); Loc (1, 10, 4); Loc (2, 3, -1);
      Loc (1, 0, 0); Set ("s", ConstSub (ConstLabel "a", ConstLabel "b"));
      Size ("camlFoo__f_1", ConstSub (ConstThis, ConstLabel "camlFoo__f_1"));
      Type ("camlFoo__f_1", "@function"); Type ("camlFoo", "@object");
      Bytes ""; Bytes "hello\000world\n\"\\\1270129\2550";
      Bytes (String.init 256 Char.chr) ];
    List.map (fun t -> NewLabel ("lbl_" ^ string_of_int (Hashtbl.hash t), t))
      [ NONE; REAL4; REAL8; BYTE; WORD; DWORD; QWORD; OWORD; NEAR; PROC ];
    List.concat_map (fun c -> [ Byte c; Word c; Long c; Quad c ]) constants;
  ]

let write path s =
  let oc = open_out_bin path in
  output_string oc s;
  close_out oc

let () =
  let dir = Sys.argv.(1) in
  List.iter (fun d -> if not (Sys.file_exists d) then Sys.mkdir d 0o755)
    [ dir; Filename.concat dir "ir"; Filename.concat dir "ref" ];
  let program = List.map (fun i -> Ins i) instructions @ directives in
  write (Filename.concat dir "ir/all.ir") (X86_ir.serialise program);
  let oc = open_out_bin (Filename.concat dir "ref/all.s") in
  X86_gas.generate_asm oc program;
  close_out oc;
  write (Filename.concat dir "ir/masm.ir")
    (X86_ir.serialise [ External ("ext", NEAR); Mode386; Model "flat"; External ("d", QWORD) ]);
  Printf.printf "ir_constructors: %d lines\n" (List.length program)
