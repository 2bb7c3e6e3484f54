(* Serialiser of X86_ast (4.13.1) to the IR of FORMAT.md. Every match below is
   exhaustive and without wildcard, so that a changed AST fails to compile. *)

open X86_ast

let magic = "OJIR"
let version = 1

module Names = Hashtbl.Make (struct
  type t = string
  let equal = String.equal
  let hash = Hashtbl.hash
end)

type state = {
  buf : Buffer.t;
  strings : int Names.t;  (* interned string -> its index *)
}

let byte st n = Buffer.add_char st.buf (Char.unsafe_chr n)

(* Unsigned LEB128 of a 64-bit pattern. *)
let rec uvarint64 st n =
  let low = Int64.to_int (Int64.logand n 0x7FL) in
  let rest = Int64.shift_right_logical n 7 in
  if Int64.equal rest 0L then byte st low
  else begin byte st (low lor 0x80); uvarint64 st rest end

(* Zigzag, then LEB128: small magnitudes of either sign stay short. *)
let svarint64 st n =
  uvarint64 st (Int64.logxor (Int64.shift_left n 1) (Int64.shift_right n 63))

(* The same bytes from a native int, without boxing an Int64 per number
   (nearly every number of a unit is small). *)
let rec uvarint st n =
  if n < 0x80 then byte st n
  else begin byte st (n land 0x7F lor 0x80); uvarint st (n lsr 7) end

(* Below 2^61 in magnitude the zigzag of an int is a non-negative int. *)
let small = 1 lsl 61
let sint st n =
  if n >= - small && n < small then uvarint st ((n lsl 1) lxor (n asr 62))
  else svarint64 st (Int64.of_int n)
let small_lo = Int64.of_int (- small)
let small_hi = Int64.of_int small
let sint64 st (n : int64) =
  if n >= small_lo && n < small_hi then sint st (Int64.to_int n) else svarint64 st n
let count st n = uvarint st n

(* Raw strings (data, comments) are written inline. *)
let raw st s = count st (String.length s); Buffer.add_string st.buf s

(* Names (symbols, labels, sections) repeat: the first occurrence is written
   inline after a 0, later ones as 1 + its index. *)
let name st s =
  match Names.find_opt st.strings s with
  | Some i -> count st (i + 1)
  | None ->
      Names.add st.strings s (Names.length st.strings);
      count st 0;
      raw st s

let condition = function
  | L -> 0 | GE -> 1 | LE -> 2 | G -> 3 | B -> 4 | AE -> 5 | BE -> 6 | A -> 7
  | E -> 8 | NE -> 9 | O -> 10 | NO -> 11 | S -> 12 | NS -> 13 | P -> 14
  | NP -> 15

let rounding = function
  | RoundUp -> 0 | RoundDown -> 1 | RoundNearest -> 2 | RoundTruncate -> 3

let data_type = function
  | NONE -> 0 | REAL4 -> 1 | REAL8 -> 2 | BYTE -> 3 | WORD -> 4 | DWORD -> 5
  | QWORD -> 6 | OWORD -> 7 | NEAR -> 8 | PROC -> 9

let reg64 = function
  | RAX -> 0 | RBX -> 1 | RCX -> 2 | RDX -> 3 | RSP -> 4 | RBP -> 5 | RSI -> 6
  | RDI -> 7 | R8 -> 8 | R9 -> 9 | R10 -> 10 | R11 -> 11 | R12 -> 12
  | R13 -> 13 | R14 -> 14 | R15 -> 15

let reg8h = function AH -> 0 | BH -> 1 | CH -> 2 | DH -> 3

let arch = function X64 -> 0 | X86 -> 1

let nibble what n =
  if n < 0 || n > 15 then
    invalid_arg (Printf.sprintf "X86_ir: %s %d does not fit the IR" what n);
  n

let scale_code = function
  | 0 -> 0 | 1 -> 1 | 2 -> 2 | 4 -> 3 | 8 -> 4
  | n -> invalid_arg (Printf.sprintf "X86_ir: scale %d does not fit the IR" n)

let rec constant st = function
  | Const n -> byte st 0; sint64 st n
  | ConstThis -> byte st 1
  | ConstLabel s -> byte st 2; name st s
  | ConstAdd (a, b) -> byte st 3; constant st a; constant st b
  | ConstSub (a, b) -> byte st 4; constant st a; constant st b

(* An operand: kind in the high nibble, a register or type in the low one. *)
let arg st = function
  | Imm n -> byte st 0x00; sint64 st n
  | Sym s -> byte st 0x10; name st s
  | Reg8L r -> byte st (0x20 lor reg64 r)
  | Reg8H r -> byte st (0x30 lor reg8h r)
  | Reg16 r -> byte st (0x40 lor reg64 r)
  | Reg32 r -> byte st (0x50 lor reg64 r)
  | Reg64 r -> byte st (0x60 lor reg64 r)
  | Regf (XMM n) -> byte st (0x70 lor nibble "XMM register" n)
  | Regf TOS -> byte st 0x80
  | Regf (ST n) -> byte st (0x90 lor nibble "ST register" n)
  | Mem { arch = a; typ; idx; scale; base; sym; displ } ->
      byte st (0xA0 lor data_type typ);
      byte st ((arch a lsl 7)
               lor (match base with Some _ -> 0x40 | None -> 0)
               lor (match sym with Some _ -> 0x20 | None -> 0)
               lor scale_code scale);
      byte st ((reg64 idx lsl 4)
               lor (match base with Some r -> reg64 r | None -> 0));
      (match sym with Some s -> name st s | None -> ());
      sint st displ
  | Mem64_RIP (typ, s, displ) ->
      byte st (0xB0 lor data_type typ); name st s; sint st displ

let op st n = byte st n
let a1 st x = arg st x
let a2 st x y = arg st x; arg st y

(* Opcode tags are the constructors' positions in X86_ast.instruction. *)
let instruction st = function
  | ADD (x, y) -> op st 0; a2 st x y
  | ADDSD (x, y) -> op st 1; a2 st x y
  | AND (x, y) -> op st 2; a2 st x y
  | ANDPD (x, y) -> op st 3; a2 st x y
  | BSWAP x -> op st 4; a1 st x
  | CALL x -> op st 5; a1 st x
  | CDQ -> op st 6
  | CMOV (c, x, y) -> op st 7; byte st (condition c); a2 st x y
  | CMP (x, y) -> op st 8; a2 st x y
  | COMISD (x, y) -> op st 9; a2 st x y
  | CQO -> op st 10
  | CVTSD2SI (x, y) -> op st 11; a2 st x y
  | CVTSD2SS (x, y) -> op st 12; a2 st x y
  | CVTSI2SD (x, y) -> op st 13; a2 st x y
  | CVTSS2SD (x, y) -> op st 14; a2 st x y
  | CVTTSD2SI (x, y) -> op st 15; a2 st x y
  | DEC x -> op st 16; a1 st x
  | DIVSD (x, y) -> op st 17; a2 st x y
  | FABS -> op st 18
  | FADD x -> op st 19; a1 st x
  | FADDP (x, y) -> op st 20; a2 st x y
  | FCHS -> op st 21
  | FCOMP x -> op st 22; a1 st x
  | FCOMPP -> op st 23
  | FCOS -> op st 24
  | FDIV x -> op st 25; a1 st x
  | FDIVP (x, y) -> op st 26; a2 st x y
  | FDIVR x -> op st 27; a1 st x
  | FDIVRP (x, y) -> op st 28; a2 st x y
  | FILD x -> op st 29; a1 st x
  | FISTP x -> op st 30; a1 st x
  | FLD x -> op st 31; a1 st x
  | FLD1 -> op st 32
  | FLDCW x -> op st 33; a1 st x
  | FLDLG2 -> op st 34
  | FLDLN2 -> op st 35
  | FLDZ -> op st 36
  | FMUL x -> op st 37; a1 st x
  | FMULP (x, y) -> op st 38; a2 st x y
  | FNSTCW x -> op st 39; a1 st x
  | FNSTSW x -> op st 40; a1 st x
  | FPATAN -> op st 41
  | FPTAN -> op st 42
  | FSIN -> op st 43
  | FSQRT -> op st 44
  | FSTP x -> op st 45; a1 st x
  | FSUB x -> op st 46; a1 st x
  | FSUBP (x, y) -> op st 47; a2 st x y
  | FSUBR x -> op st 48; a1 st x
  | FSUBRP (x, y) -> op st 49; a2 st x y
  | FXCH x -> op st 50; a1 st x
  | FYL2X -> op st 51
  | HLT -> op st 52
  | IDIV x -> op st 53; a1 st x
  | IMUL (x, None) -> op st 54; byte st 0; a1 st x
  | IMUL (x, Some y) -> op st 54; byte st 1; a2 st x y
  | INC x -> op st 55; a1 st x
  | J (c, x) -> op st 56; byte st (condition c); a1 st x
  | JMP x -> op st 57; a1 st x
  | LEA (x, y) -> op st 58; a2 st x y
  | LEAVE -> op st 59
  | MOV (x, y) -> op st 60; a2 st x y
  | MOVAPD (x, y) -> op st 61; a2 st x y
  | MOVLPD (x, y) -> op st 62; a2 st x y
  | MOVSD (x, y) -> op st 63; a2 st x y
  | MOVSS (x, y) -> op st 64; a2 st x y
  | MOVSX (x, y) -> op st 65; a2 st x y
  | MOVSXD (x, y) -> op st 66; a2 st x y
  | MOVZX (x, y) -> op st 67; a2 st x y
  | MULSD (x, y) -> op st 68; a2 st x y
  | NEG x -> op st 69; a1 st x
  | NOP -> op st 70
  | OR (x, y) -> op st 71; a2 st x y
  | POP x -> op st 72; a1 st x
  | PUSH x -> op st 73; a1 st x
  | RET -> op st 74
  | ROUNDSD (r, x, y) -> op st 75; byte st (rounding r); a2 st x y
  | SAL (x, y) -> op st 76; a2 st x y
  | SAR (x, y) -> op st 77; a2 st x y
  | SET (c, x) -> op st 78; byte st (condition c); a1 st x
  | SHR (x, y) -> op st 79; a2 st x y
  | SQRTSD (x, y) -> op st 80; a2 st x y
  | SUB (x, y) -> op st 81; a2 st x y
  | SUBSD (x, y) -> op st 82; a2 st x y
  | TEST (x, y) -> op st 83; a2 st x y
  | UCOMISD (x, y) -> op st 84; a2 st x y
  | XCHG (x, y) -> op st 85; a2 st x y
  | XOR (x, y) -> op st 86; a2 st x y
  | XORPD (x, y) -> op st 87; a2 st x y

let names st l = count st (List.length l); List.iter (name st) l

(* Directive tags are 0x80 + the constructor's position among the
   non-instruction constructors of X86_ast.asm_line. *)
let line st = function
  | Ins i -> instruction st i
  | Align (data, n) -> byte st 0x80; byte st (if data then 1 else 0); sint st n
  | Byte c -> byte st 0x81; constant st c
  | Bytes s -> byte st 0x82; raw st s
  | Comment s -> byte st 0x83; raw st s
  | Global s -> byte st 0x84; name st s
  | Long c -> byte st 0x85; constant st c
  | NewLabel (s, t) -> byte st 0x86; name st s; byte st (data_type t)
  | Quad c -> byte st 0x87; constant st c
  | Section (ns, flags, args) ->
      byte st 0x88; names st ns;
      (match flags with
       | None -> byte st 0
       | Some f -> byte st 1; name st f);
      names st args
  | Space n -> byte st 0x89; sint st n
  | Word c -> byte st 0x8A; constant st c
  | External (s, t) -> byte st 0x8B; name st s; byte st (data_type t)
  | Mode386 -> byte st 0x8C
  | Model s -> byte st 0x8D; raw st s
  | Cfi_adjust_cfa_offset n -> byte st 0x8E; sint st n
  | Cfi_endproc -> byte st 0x8F
  | Cfi_startproc -> byte st 0x90
  | File (n, s) -> byte st 0x91; sint st n; raw st s
  | Indirect_symbol s -> byte st 0x92; name st s
  | Loc (f, l, c) -> byte st 0x93; sint st f; sint st l; sint st c
  | Private_extern s -> byte st 0x94; name st s
  | Set (s, c) -> byte st 0x95; name st s; constant st c
  | Size (s, c) -> byte st 0x96; name st s; constant st c
  | Type (s, t) -> byte st 0x97; name st s; name st t

(* One buffer and one name table for every unit, cleared between units: a
   fresh 64 KiB buffer and 1024-bucket table per unit went straight to the
   major heap, some 70 KiB per toplevel phrase that the major GC then had to
   mark and sweep. The table starts small (a phrase has a few dozen names) and
   is reset to that size: clearing a table grown by a big unit would fill all
   its buckets again for every phrase. *)
let shared = { buf = Buffer.create 65536; strings = Names.create 64 }

let serialise program =
  let st = shared in
  Buffer.clear st.buf;
  Names.reset st.strings;
  Buffer.add_string st.buf magic;
  byte st version;
  count st (List.length program);
  List.iter (line st) program;
  Buffer.contents st.buf
