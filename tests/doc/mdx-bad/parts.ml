(* $MDX part-begin=other *)
let x = 1
(* $MDX part-end *)
