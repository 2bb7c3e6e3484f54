type t = A | B of int | C of string * t
exception E of string
let s = "quote\" back\\slash \n\t\001\255 0123"
let rec walk = function A -> 0 | B n -> n | C (s, t) -> String.length s + walk t
let tbl = Hashtbl.create 7
let () = Hashtbl.replace tbl "k" (C ("x", B 2)); try raise (E s) with E m -> print_string m
let lazy_v = lazy (walk (Hashtbl.find tbl "k"))
let m = match Sys.argv with [| _; x |] -> x | _ -> "none"
class counter = object val mutable n = 0 method incr = n <- n + 1; n end
let () = ignore (Lazy.force lazy_v, m, (new counter)#incr)
