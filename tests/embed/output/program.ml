(* #use'd by output_host.c: the code's own output goes to stdout. *)
let printed = print_string "program (#use): print_string\n"; Format.printf "program (#use): Format.printf@."; 2
