(* An OCaml host built with `ocamlfind ocamlopt -package ocamljit.eval`. *)
let () =
  let s = Ocamljit_eval.create () in
  (match Ocamljit_eval.eval_as s Ocamljit_eval.Int "List.length [1; 2; 3]" with
   | Ok 3 -> ()
   | Ok n -> Printf.printf "findlib_host: got %d\n" n; exit 1
   | Error e -> print_string e.output; exit 1);
  Ocamljit_eval.free s;
  print_endline "findlib_host: ok"
