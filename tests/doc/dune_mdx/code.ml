(* $MDX part-begin=main *)
let answer = 42
(* $MDX part-end *)
