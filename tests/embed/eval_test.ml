(* Ocamljit_eval, the OCaml API: every operation, errors as values, typed
   retrieval checked against the inferred type, separation and unloading. *)

let failures = ref 0

let check name ok =
  if not ok then begin
    incr failures;
    Printf.printf "FAIL %s\n%!" name
  end

let contains text part =
  let n = String.length part and m = String.length text in
  let rec at i = i + n <= m && (String.sub text i n = part || at (i + 1)) in
  at 0

let output_of = function Ok out -> out | Error { Ocamljit_eval.output; _ } -> output

let () =
  let s = Ocamljit_eval.create () in
  (* eval: what ocaml prints *)
  check "eval ok"
    (Ocamljit_eval.eval s "let x = 40 + 2;;" = Ok "val x : int = 42\n");
  (match Ocamljit_eval.eval s "let y = (" with
   | Error { failure = Ocamljit_eval.Failed; output } -> check "syntax message" (contains output "Syntax error")
   | r -> check ("syntax error: " ^ output_of r) false);
  (match Ocamljit_eval.eval s "x + 1.0;;" with
   | Error { failure = Ocamljit_eval.Failed; output } ->
       check "type message" (contains output "This expression has type float")
   | r -> check ("type error: " ^ output_of r) false);
  (match Ocamljit_eval.eval s "raise (Failure \"no\");;" with
   | Error { failure = Ocamljit_eval.Raised; output } ->
       check "exception message" (output = "Exception: Failure \"no\".\n")
   | r -> check ("exception: " ^ output_of r) false);
  (match Ocamljit_eval.eval s "external f : int -> int = \"ocamljit_eval_test_missing\";; f 0;;" with
   | Error { failure = Ocamljit_eval.Failed; output } ->
       check "undefined primitive" (contains output "ocamljit_eval_test_missing' is not available")
   | r -> check ("undefined primitive: " ^ output_of r) false);
  (* directives print into the result too (not on stdout), as ocaml prints them *)
  check "#show" (Ocamljit_eval.eval s "#show x;;" = Ok "val x : int\n");
  check "#show_type" (Ocamljit_eval.eval s "type r = { f : int };; #show_type r;;"
                      = Ok "type r = { f : int; }\ntype r = { f : int; }\n");
  check "#show_module" (Ocamljit_eval.eval s "#show_module Fun;;" |> output_of |> fun o -> contains o "module Fun :");
  check "#print_length"
    (Ocamljit_eval.eval s "#print_length 3;; [1; 2; 3; 4];; #print_length 100;;"
     = Ok "- : int list = [1; 2; ...]\n");
  (* As in ocaml, the directive ran: not an error. *)
  check "#show unknown" (Ocamljit_eval.eval s "#show no_such_name;;" = Ok "Unknown element.\n");
  (match Ocamljit_eval.eval s "#no_such_directive;;" with
   | Error { failure = Ocamljit_eval.Failed; output } ->
       check "unknown directive" (output = "Unknown directive `no_such_directive'.\n")
   | r -> check ("unknown directive: " ^ output_of r) false);
  (* The host's own pending Format output stays the host's (on stdout, before the eval). *)
  let host = Buffer.create 16 in
  let saved = Format.pp_get_formatter_out_functions Format.std_formatter () in
  Format.pp_set_formatter_out_functions Format.std_formatter
    { saved with Format.out_string = (fun str pos len -> Buffer.add_substring host str pos len) };
  Format.printf "host text";
  let r = Ocamljit_eval.eval s "#show_val x;; Format.printf \"program text@.\";;" in
  Format.pp_print_flush Format.std_formatter ();
  Format.pp_set_formatter_out_functions Format.std_formatter saved;
  check "directive into the result" (r = Ok "val x : int\n- : unit = ()\n");
  check ("program's Format output to the program's std_formatter: " ^ Buffer.contents host)
    (Buffer.contents host = "host textprogram text\n");
  (* typed retrieval *)
  check "int" (Ocamljit_eval.eval_as s Ocamljit_eval.Int "x * 2" = Ok 84);
  check "float" (Ocamljit_eval.eval_as s Ocamljit_eval.Float "float x /. 4." = Ok 10.5);
  check "string" (Ocamljit_eval.eval_as s Ocamljit_eval.String "string_of_int x ^ \"!\"" = Ok "42!");
  check "bool" (Ocamljit_eval.eval_as s Ocamljit_eval.Bool "x > 0" = Ok true);
  check "unit" (Ocamljit_eval.eval_as s Ocamljit_eval.Unit "ignore x" = Ok ());
  (match Ocamljit_eval.eval_as s Ocamljit_eval.Int "\"42\"" with
   | Error { failure = Ocamljit_eval.Failed; output } ->
       check "wrong type message" (contains output "has type string but int was expected")
   | Ok _ | Error _ -> check "wrong type refused" false);
  check "float is not int" (Result.is_error (Ocamljit_eval.eval_as s Ocamljit_eval.Int "1.0"));
  check "int is not bool" (Result.is_error (Ocamljit_eval.eval_as s Ocamljit_eval.Bool "1"));
  check "magic refused"
    (Result.is_error (Ocamljit_eval.eval_as s Ocamljit_eval.String "Obj.magic 1"));
  (match Ocamljit_eval.eval_as s Ocamljit_eval.Int "List.hd []" with
   | Error { failure = Ocamljit_eval.Raised; output } -> check "typed exception" (contains output "Failure \"hd\"")
   | _ -> check "typed exception" false);
  (* separation *)
  let t = Ocamljit_eval.create () in
  check "separate" (Result.is_error (Ocamljit_eval.eval t "x;;"));
  check "same name, other value" (Ocamljit_eval.eval t "let x = \"t\";;" = Ok "val x : string = \"t\"\n");
  check "first unchanged" (Ocamljit_eval.eval_as s Ocamljit_eval.Int "x" = Ok 42);
  (* a string obtained from a session stays valid after it is freed *)
  let kept = Ocamljit_eval.eval_as t Ocamljit_eval.String "\"a constant of the phrase\"" in
  Ocamljit_eval.free t;
  Ocamljit_eval.free t;
  Gc.compact ();
  check "copied out" (kept = Ok "a constant of the phrase");
  check "freed session refuses" (Result.is_error (Ocamljit_eval.eval t "1;;"));
  (* cycles: the sessions' units and compiler state go away *)
  let live () = Gc.compact (); (Gc.stat ()).Gc.live_words in
  let cycle () =
    let u = Ocamljit_eval.create () in
    ignore (Ocamljit_eval.eval u "let g n = n * n;; let l = List.init 5 g;;");
    check "cycle value" (Ocamljit_eval.eval_as u Ocamljit_eval.Int "List.fold_left ( + ) 0 l" = Ok 30);
    Ocamljit_eval.free u
  in
  for _ = 1 to 10 do cycle () done;
  let before = live () in
  for _ = 1 to 500 do cycle () done;
  let after = live () in
  check (Printf.sprintf "bounded heap (%d -> %d words)" before after) (after - before < 500 * 16);
  Ocamljit_eval.free s;
  if !failures > 0 then exit 1;
  print_endline "ocamljit-eval-test: all checks passed"
