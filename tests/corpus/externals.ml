(* External declarations: a primitive the process lacks may be declared;
   using it is an error, and the session goes on. *)
external my_prim : int -> int = "ocamljit_no_such_primitive";;
external succ_prim : int -> int = "%succint";;
succ_prim 41;;
external string_length : string -> int = "%string_length";;
string_length "four";;
external float_of_bits : int64 -> float = "caml_int64_float_of_bits_unboxed" "caml_int64_float_of_bits" [@@unboxed] [@@noalloc];;
my_prim 1;;
"after the missing primitive";;
