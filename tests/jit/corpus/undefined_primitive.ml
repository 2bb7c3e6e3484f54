(* A primitive nobody defines: reported where ocaml reports it, and the
   session goes on with its earlier definitions. *)
let x = 41;;
external foo : int -> int = "no_such_prim";;
foo 1;;
let y = x + 1;;
let g () = foo 2;;
y;;
