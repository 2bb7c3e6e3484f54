(* Read by #use and #mod_use in phrases.txt. *)
let a = 1
let b = a + 1;;
type t = A | B
let pair = (A, b)
