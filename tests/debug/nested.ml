(* A phrase that evaluates phrases while it runs: the JIT loads new units
   while an earlier unit's code is still on the stack. *)
#directory "+compiler-libs";;
let eval text =
  let lexbuf = Lexing.from_string text in
  let phrase = !Toploop.parse_toplevel_phrase lexbuf in
  Toploop.execute_phrase true Format.std_formatter phrase;;
eval "let x = 6 * 7;;";;
let twice () = eval "let y = x + 1;;" && eval "let z = string_of_int y;;";;
twice ();;
eval "let w = (eval \"let v = 1;;\", 2);;";;
print_endline "session goes on";;
