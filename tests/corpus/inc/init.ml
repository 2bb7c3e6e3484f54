let from_init = "defined by the init file";;
print_endline "init file ran";;
