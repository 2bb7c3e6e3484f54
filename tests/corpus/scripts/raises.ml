exception My_error of string * int
let () = print_endline "about to raise"
let () = raise (My_error ("boom", 42))
let () = print_endline "not reached"
