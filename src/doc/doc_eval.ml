(* See doc_eval.mli. Mirrors what Toploop.loop does around each phrase, but
   reads the phrase from a string and keeps one Env.t per named environment. *)

let ppf = Format.std_formatter
let initial = ref Env.empty
let packages = ref []

(* Findlib in documents. mdx's executable links the threads library, so a
   package that needs it (lwt.unix, for Mutex) loads without #thread; here
   findlib is told to choose threads' archives (the predicates #thread sets)
   as soon as topfind is loaded, and the first package needing them loads
   them in memory. [#require] and [#thread] need no [#use "topfind"]. *)
let findlib_ready = ref false
let in_findlib_setup = ref false

let run_silently text =
  match Toploop.execute_phrase false ppf (Parse.toplevel_phrase (Lexing.from_string text)) with
  | ok -> ok
  | exception exn -> Location.report_exception ppf exn; false

let load_findlib () =
  if not (!findlib_ready || !in_findlib_setup) then begin
    in_findlib_setup := true;
    findlib_ready :=
      Fun.protect ~finally:(fun () -> in_findlib_setup := false) (fun () ->
          (* An empty package list: topfind is loaded, nothing else. *)
          Topfind_on_demand.require ppf ""
          && run_silently "Topfind.add_predicates [\"mt\"; \"mt_posix\"];;")
  end;
  !findlib_ready

(* Topfind's own directive [name] once topfind is loaded (loading it
   replaces ours). *)
let findlib_directive name ours =
  if not (load_findlib ()) then None
  else match Toploop.get_directive name with
    | Some d when d != ours -> Some d
    | _ -> Format.fprintf ppf "topfind did not define #%s.@." name; None

let require ?(out = ppf) packages = load_findlib () && Topfind_on_demand.require out packages

let install_findlib_directives () =
  let section = "Loading code" in
  if Toploop.get_directive "require" = None then begin
    let rec ours = Toploop.Directive_string (fun p -> ignore (require_with ours p))
    and require_with ours p =
      match findlib_directive "require" ours with
      | Some (Toploop.Directive_string f) -> (
          try f p; true with exn -> Location.report_exception ppf exn; false)
      | _ -> false
    in
    Toploop.add_directive "require" ours
      { Toploop.section; doc = "Load findlib packages (findlib's toplevel support is loaded first)." }
  end;
  if Toploop.get_directive "thread" = None then begin
    let rec ours = Toploop.Directive_none (fun () -> thread ours)
    and thread ours =
      match findlib_directive "thread" ours with
      | Some (Toploop.Directive_none f) -> f ()
      | _ -> ()
    in
    Toploop.add_directive "thread" ours
      { Toploop.section; doc = "Load the threads library (findlib's toplevel support is loaded first)." }
  end

let init ~include_dirs =
  Loaders.register_all ();
  Clflags.native_code := true;
  Clflags.include_dirs := List.rev_append include_dirs !Clflags.include_dirs;
  Compmisc.read_clflags_from_env ();
  Topcommon.set_paths ();
  Compmisc.init_path ();
  Clflags.debug := true;
  Location.formatter_for_warnings := ppf;
  Topcommon.initialize_toplevel_env ();
  initial := !Topcommon.toplevel_env;
  Topcommon.run_hooks Topcommon.After_setup;
  install_findlib_directives ();
  (* --package preloads. *)
  List.iter
    (fun p -> if not (require ~out:Format.err_formatter p) then begin Format.pp_print_flush ppf (); exit 2 end)
    (List.rev !packages);
  (* The packages' modules are seen by every environment. *)
  initial := !Topcommon.toplevel_env

let flush_all () =
  Format.pp_print_flush ppf ();
  Format.pp_print_flush Format.err_formatter ();
  flush stdout;
  flush stderr

let load path =
  let ok =
    try Topeval.load_file false ppf path
    with exn -> Location.report_exception ppf exn; false
  in
  flush_all ();
  ok

(* The environment of every name used so far; the current one lives in
   Topcommon.toplevel_env. *)
let envs : (string, Env.t) Hashtbl.t = Hashtbl.create 8
let current = ref ""

(* Every environment starts from the one made at set-up. Making another
   with Compmisc.initial_env would reset Ident's stamps, and identifiers of
   different environments would then collide in Translmod's global table.
   Loaded modules are found through the load path, so this environment
   sees them too. *)
let initial_env () = !initial

let switch_to name =
  if name <> !current then begin
    Hashtbl.replace envs !current !Topcommon.toplevel_env;
    Topcommon.toplevel_env :=
      (match Hashtbl.find_opt envs name with
       | Some e -> e
       | None -> initial_env ());
    current := name
  end

let reset_envs () =
  let e = initial_env () in
  Hashtbl.reset envs;
  current := "";
  Topcommon.toplevel_env := e

(* [#require] with its output dropped: mdx loads lwt.unix for Lwt's
   automatic run without a word. *)
let require_quietly packages =
  let silence f =
    let saved = Format.pp_get_formatter_out_functions f () in
    Format.pp_print_flush f ();
    Format.pp_set_formatter_out_functions f
      { Format.out_string = (fun _ _ _ -> ()); out_flush = ignore; out_newline = ignore;
                   out_spaces = ignore; out_indent = ignore };
    fun () -> Format.pp_print_flush f (); Format.pp_set_formatter_out_functions f saved
  in
  let restore_out = silence ppf and restore_err = silence Format.err_formatter in
  Fun.protect ~finally:(fun () -> restore_out (); restore_err ()) (fun () -> require packages)

let prepare ppf phr =
  let phr = Topcommon.preprocess_phrase ppf phr in
  Doc_autorun.rewrite ~require:require_quietly phr

let phrase_buffer = Buffer.create 256

(* Runs the phrases of [text] one after the other, like the toplevel's loop
   does with its input; stops at the first failure. *)
let eval_text ~print text =
  let lb = Lexing.from_string text in
  Location.init lb "//toplevel//";
  Location.input_name := "//toplevel//";
  Location.input_lexbuf := Some lb;
  Buffer.reset phrase_buffer;
  Buffer.add_string phrase_buffer text;
  Location.input_phrase_buffer := Some phrase_buffer;
  let rec next () =
    let snap = Btype.snapshot () in
    match
      Location.reset ();
      Warnings.reset_fatal ();
      Topcommon.first_line := true;
      let phr = !Toploop.parse_toplevel_phrase lb in
      let phr = prepare ppf phr in
      Env.reset_cache_toplevel ();
      Toploop.execute_phrase print ppf phr
    with
    | true -> next ()
    | false -> false
    | exception End_of_file -> true
    | exception exn ->
        (try Location.report_exception ppf exn
         with _ -> Format.fprintf ppf "Uncaught exception: %s@." (Printexc.to_string exn));
        Btype.backtrack snap;
        false
  in
  next ()

(* A whole file, as #use reads it: the last phrase needs no ";;". *)
let eval_file text =
  let lb = Lexing.from_string text in
  Location.init lb "//toplevel//";
  Location.input_name := "//toplevel//";
  Location.input_lexbuf := Some lb;
  Location.input_phrase_buffer := None;
  let snap = Btype.snapshot () in
  try
    Location.reset ();
    Warnings.reset_fatal ();
    List.for_all
      (fun phr ->
        let phr = prepare ppf phr in
        Env.reset_cache_toplevel ();
        Toploop.execute_phrase false ppf phr)
      (!Toploop.parse_use_file lb)
  with exn ->
    (try Location.report_exception ppf exn
     with _ -> Format.fprintf ppf "Uncaught exception: %s@." (Printexc.to_string exn));
    Btype.backtrack snap;
    false

let eval ~env ~print text =
  switch_to env;
  let ok = if print then eval_text ~print text else eval_file text in
  flush_all ();
  ok

(* mdx records the program's output before an answer and the answer as two
   pieces ([print_int 1] gives "1" then "- : unit = ()"): while [framing],
   answers are framed by the bytes \002 and \003, which the C++ side splits
   on (src/doc/toplevel.cpp, mdx_output). Exceptions are not framed, as in mdx. *)
let framing = ref false

let frame_answers () =
  let print = !Oprint.out_phrase in
  Oprint.out_phrase :=
    fun ppf phr ->
      match phr with
      | Outcometree.Ophr_exception _ -> print ppf phr
      | _ when not !framing -> print ppf phr
      | _ ->
          (* The program's output first; then the frame and the answer go
             through stdout's buffer in one write when [ppf] prints there. *)
          Format.pp_print_flush ppf ();
          flush stdout;
          flush stderr;
          print_string "\002";
          if ppf != Format.std_formatter then flush stdout;
          print ppf phr;
          Format.pp_print_flush ppf ();
          if ppf != Format.std_formatter then flush stdout;
          print_string "\003";
          flush stdout

let eval_phrases ~env ~answers text =
  switch_to env;
  framing := true;
  let ok =
    Fun.protect ~finally:(fun () -> framing := false) (fun () -> eval_text ~print:answers text)
  in
  flush_all ();
  ok

let register () =
  frame_answers ();
  Callback.register "ocamljit_doc_eval_phrases" (fun env answers text -> eval_phrases ~env ~answers text);
  Callback.register "ocamljit_doc_init" (fun dirs -> init ~include_dirs:(Array.to_list dirs));
  Callback.register "ocamljit_doc_load" load;
  Callback.register "ocamljit_doc_eval" (fun env print text -> eval ~env ~print text);
  Callback.register "ocamljit_doc_reset_envs" reset_envs
