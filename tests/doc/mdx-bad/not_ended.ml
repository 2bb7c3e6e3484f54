(* $MDX part-begin=toto *)
let x = 1
(* $MDX part-begin=titi *)
let y = 2
(* $MDX part-end *)
