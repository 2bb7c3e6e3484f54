let () = print_string "exiting with 7 (unflushed)"
let () = exit 7
