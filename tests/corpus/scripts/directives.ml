#directory "inc";;
#use "helper.ml";;
let () = print_endline helper_value
#warnings "+a";;
let f x = let unused = 1 in x
let () = print_int (f 3); print_newline ()
