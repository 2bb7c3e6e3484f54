(* Anonymous phrases: `e;;`, `let _ = e;;` and `let _ : t = e;;` print their
   value with "- :", and the typer sees the `_` (warning 5). *)
1 + 1;;
let _ = "underscore";;
let _ : int = 3;;
let _ : int list * string = ([], "constrained");;
let _ : 'a. 'a list = [];;
let _ = Array.get [||];;
let _ = List.map succ;;
let () = ();;
let _x = 4;;
let _ = print_endline "effect"; 5;;
let (_ : int) = 6;;
