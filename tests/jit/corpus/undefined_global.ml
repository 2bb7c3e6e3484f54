(* A module whose interface is known but whose code is not loaded. *)
#directory "+str";;
Str.regexp "a";;
let y = 2;;
