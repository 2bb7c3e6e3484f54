#!/usr/bin/env ocaml
type t = Leaf | Node of t * t
let rec size = function Leaf -> 1 | Node (a, b) -> size a + size b
let () = Printf.printf "size %d\n" (size (Node (Node (Leaf, Leaf), Leaf)))
let () = prerr_endline "a line on stderr"
