let () =
  ();
  ()
;;

(* $MDX part-begin=toto *)
let x = 34
let f = 42.3

let () =
  print_int x;
  print_float f
;;

(* $MDX part-end *)
let between = ()
(* $MDX part-begin=indented *)
  let () = print_string "indented" in
  ()
(* $MDX part-end *)
