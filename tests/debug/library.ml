(* A phrase calling into a library linked in memory (str: OCaml code and
   the C stubs of libcamlstr), for a gdb backtrace through both. *)
#load "str.cmxa";;
let find_word s = [ Str.search_forward (Str.regexp "wor+ld") s 0 ];;
let () = Printf.printf "found at %d\n" (List.hd (find_word "hello world"));;
