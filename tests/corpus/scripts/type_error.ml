let ok = print_endline "first definition runs"
let bad = 1 + "x"
let () = print_endline "not reached"
