let count = ref 0
let hello name = incr count; Printf.sprintf "hello %s (%d)" name !count
let () = print_endline "greet initialised"
