type status = Succeeded | Failed | Raised

type 'a witness = Int : int witness | Float : float witness | String : string witness
                | Bool : bool witness | Unit : unit witness

type t = {
  id : int;
  mutable env : Env.t;
  (* The names of this session's units, whose approximations the compiler
     keeps until the session is freed (see Phrase_units). *)
  mutable units : string list;
  (* Where its toplevel identifiers live (see Toplevel_names). *)
  mutable names : Toplevel_names.table option;
  buffer : Buffer.t;
  ppf : Format.formatter;
  mutable running : int;  (* evaluations of this session in progress *)
  mutable freed : bool;
  (* Printers (#install_printer) that are functions of this session's code:
     the toplevel's table is the process's, and must not keep them once
     their code is unloaded. *)
  mutable printers : Path.t list;
}

external set_owner : int -> int = "ocamljit_jit_set_owner"
external unload_owner : int -> unit = "ocamljit_jit_unload_owner"

let initial_env : Env.t option ref = ref None

(* The table of toplevel names a new session starts from (see init). *)
let base_names : Toplevel_names.table option ref = ref None

let counter = ref 0

let create () =
  match !initial_env with
  | None -> failwith "ocamljit: Session.init was not called or failed"
  | Some env ->
      incr counter;
      let buffer = Buffer.create 256 in
      { id = !counter; env; units = []; names = !base_names; buffer; ppf = Format.formatter_of_buffer buffer;
        running = 0; freed = false; printers = [] }

let id s = s.id
let output s = Buffer.contents s.buffer

let keeper s =
  {
    Phrase_units.before_compile = ignore;
    after_compile =
      (fun () ->
        Phrase_units.global.after_compile ();
        s.units <- (Compilenv.current_unit_infos ()).ui_name :: s.units);
  }

(* Where the toplevel prints besides the formatter it is given: directives
   (#show, #use, #warnings, #help...) print to Format.std_formatter, as
   `ocaml` prints everything to stdout, and the compiler's internal errors
   to Format.err_formatter. While a session evaluates, both print into the
   session's buffer, except while the phrases' own code runs: the program's
   output (Format.printf as well as print_string) goes to stdout, as a
   compiled program's would. [outside] holds what they printed to before
   each session took them (sessions nest: a host primitive may evaluate in
   another session). *)
type destinations = { std : Format.formatter_out_functions; err : Format.formatter_out_functions }

let outside : destinations list ref = ref []

(* A closed stdout (EPIPE, EBADF) must not turn into an error of the session. *)
let flush_quietly ppf = try Format.pp_print_flush ppf () with Sys_error _ -> ()

let current_destinations () =
  { std = Format.pp_get_formatter_out_functions Format.std_formatter ();
    err = Format.pp_get_formatter_out_functions Format.err_formatter () }

let set_destinations d =
  flush_quietly Format.std_formatter;
  flush_quietly Format.err_formatter;
  Format.pp_set_formatter_out_functions Format.std_formatter d.std;
  Format.pp_set_formatter_out_functions Format.err_formatter d.err

let toplevel_prints_into s f =
  (* What is pending in the session's formatter keeps its place. *)
  Format.pp_print_flush s.ppf ();
  outside := current_destinations () :: !outside;
  let buffer = Format.pp_get_formatter_out_functions s.ppf () in
  set_destinations { std = buffer; err = buffer };
  Fun.protect f ~finally:(fun () ->
      match !outside with
      | d :: rest -> set_destinations d; outside := rest
      | [] -> ())

(* The code may itself redirect the formatters (Format.set_formatter_out_channel):
   that stays the program's choice for its later code, and for the host. *)
let program_output f =
  match !outside with
  | [] -> f ()
  | d :: _ ->
      let toplevel = current_destinations () in
      set_destinations d;
      Fun.protect f ~finally:(fun () ->
          let program = current_destinations () in
          set_destinations toplevel;
          match !outside with _ :: rest -> outside := program :: rest | [] -> ())

(* The loader the sessions compile with: the selected one, whose two ways
   into a unit's code run it with std_formatter and err_formatter given back
   to the program. *)
let embedding_loader (l : Loader.t) =
  {
    l with
    Loader.name = l.name ^ "+embedding";
    run_unit = (fun ppf ~unit_name ~prefix -> program_output (fun () -> l.run_unit ppf ~unit_name ~prefix));
    load_file = (fun ppf path -> program_output (fun () -> l.load_file ppf path));
  }

(* The sessions evaluating, innermost first. *)
let evaluating : t list ref = ref []

(* Runs [f] with the session's state installed in the toplevel's globals,
   and puts back whatever was there (sessions may nest: a host primitive
   may evaluate in another session). *)
let within s f =
  let env = !Toploop.toplevel_env in
  let saved_keeper = !Phrase_units.current in
  let warnings = !Location.formatter_for_warnings in
  let owner = set_owner s.id in
  let names = Toplevel_names.get () in
  Option.iter Toplevel_names.set s.names;
  Toploop.toplevel_env := s.env;
  Phrase_units.current := keeper s;
  Location.formatter_for_warnings := s.ppf;
  s.running <- s.running + 1;
  evaluating := s :: !evaluating;
  Fun.protect (fun () -> toplevel_prints_into s f) ~finally:(fun () ->
      evaluating := List.tl !evaluating;
      Format.pp_print_flush s.ppf ();
      (* What the code printed reaches the host's stdout in order with its own. *)
      flush_quietly Format.std_formatter;
      flush_quietly Format.err_formatter;
      (try flush stdout; flush stderr with Sys_error _ -> ());
      s.running <- s.running - 1;
      s.env <- !Toploop.toplevel_env;
      s.names <- Toplevel_names.get ();
      Option.iter Toplevel_names.set names;
      Toploop.toplevel_env := env;
      Phrase_units.current := saved_keeper;
      Location.formatter_for_warnings := warnings;
      ignore (set_owner owner))

let report ppf exn =
  try Location.report_exception ppf exn
  with exn -> Format.fprintf ppf "Uncaught exception: %s@." (Printexc.to_string exn)

let start s text =
  Buffer.clear s.buffer;
  let lb = Lexing.from_string text in
  Location.init lb "//toplevel//";
  Warnings.reset_fatal ();
  lb

let with_input lb f =
  Misc.protect_refs
    [ R (Location.input_name, "//toplevel//"); R (Location.input_lexbuf, Some lb);
      R (Location.input_phrase_buffer, None) ]
    f

let usable s = if s.freed then Error "ocamljit: this session was freed" else Ok ()

let refuse s msg =
  Buffer.clear s.buffer;
  Buffer.add_string s.buffer msg;
  Buffer.add_char s.buffer '\n'

(* The typer keeps every typed tree it builds for a .cmt file
   (Cmt_format.saved_types); a toplevel writes none, and across phrases the
   list only grows. *)
let forget_typed_trees () = Cmt_format.clear ()

(* Emit's symbol sets are emptied by Compiler_api after every unit. *)
let forget_phrase_state () = forget_typed_trees ()

let run_phrase ~print ppf phrase =
  forget_typed_trees ();
  Fun.protect ~finally:forget_phrase_state @@ fun () ->
  let snap = Btype.snapshot () in
  match
    let phrase = Toploop.preprocess_phrase ppf phrase in
    Env.reset_cache_toplevel ();
    Toploop.execute_phrase print ppf phrase
  with
  | true -> Succeeded
  | false -> ( match phrase with Parsetree.Ptop_dir _ -> Failed | Parsetree.Ptop_def _ -> Raised)
  | exception Compenv.Exit_with_status _ ->
      (* #quit: the program is the host's, not the session's to end. *)
      Format.fprintf ppf "#quit is not available in an embedded session (the host frees it).@.";
      Failed
  | exception Sys.Break ->
      Format.fprintf ppf "Interrupted.@.";
      Btype.backtrack snap;
      Raised
  | exception exn ->
      report ppf exn;
      Btype.backtrack snap;
      Failed

let eval s text =
  match usable s with
  | Error msg -> refuse s msg; Failed
  | Ok () ->
      let lb = start s text in
      within s (fun () ->
          with_input lb (fun () ->
              match !Toploop.parse_use_file lb with
              | exception exn -> report s.ppf exn; Failed
              | phrases ->
                  let rec run = function
                    | [] -> Succeeded
                    | p :: rest -> ( match run_phrase ~print:true s.ppf p with Succeeded -> run rest | st -> st)
                  in
                  run phrases))

let path_of : type a. a witness -> Path.t = function
  | Int -> Predef.path_int
  | Float -> Predef.path_float
  | String -> Predef.path_string
  | Bool -> Predef.path_bool
  | Unit -> Predef.path_unit

let type_name : type a. a witness -> string = function
  | Int -> "int" | Float -> "float" | String -> "string" | Bool -> "bool" | Unit -> "unit"

(* The value, copied out of the unit's memory (a constant of the phrase
   lives in its static data, which goes when the session is freed); None if
   its representation does not fit the witness (an [Obj.magic]). *)
let copy_out : type a. a witness -> Obj.t -> a option =
 fun w v ->
  match w with
  | Int -> if Obj.is_int v then Some (Obj.obj v) else None
  | Bool -> if Obj.is_int v then Some (Obj.obj v) else None
  | Unit -> if Obj.is_int v then Some (Obj.obj v) else None
  | Float -> if Obj.is_block v && Obj.tag v = Obj.double_tag then Some (Obj.obj (Obj.dup v)) else None
  | String -> if Obj.is_block v && Obj.tag v = Obj.string_tag then Some (Obj.obj (Obj.dup v)) else None

(* Whether the expression's type is the witness's (a bare type variable is
   accepted: such an expression cannot return without Obj.magic, and the
   representation is checked anyway). *)
let fits env w ty =
  match (Ctype.expand_head env ty).desc with
  | Types.Tconstr (p, [], _) -> Path.same p (path_of w)
  | Types.Tvar _ -> true
  | _ -> false

let result_name = "ocamljit_result"

let eval_as (type a) s (w : a witness) text : (a, status) result =
  match usable s with
  | Error msg -> refuse s msg; Error Failed
  | Ok () ->
      let lb = start s text in
      within s (fun () ->
          with_input lb (fun () ->
              let ppf = s.ppf in
              let env = !Toploop.toplevel_env in
              match Parse.expression lb with
              | exception exn -> report ppf exn; Error Failed
              | expr -> (
                  let snap = Btype.snapshot () in
                  let typed =
                    try
                      Typecore.reset_delayed_checks ();
                      let t = Typecore.type_expression env expr in
                      Typecore.force_delayed_checks ();
                      Ok t.exp_type
                    with exn -> report ppf exn; Error ()
                  in
                  Btype.backtrack snap;
                  forget_typed_trees ();
                  match typed with
                  | Error () -> Error Failed
                  | Ok ty when not (fits env w ty) ->
                      Format.fprintf ppf "Error: This expression has type %a but %s was expected@."
                        Printtyp.type_expr ty (type_name w);
                      Error Failed
                  | Ok _ -> (
                      let open Ast_helper in
                      let binding = Vb.mk (Pat.var (Location.mknoloc result_name)) expr in
                      let phrase = Parsetree.Ptop_def [ Str.value Asttypes.Nonrecursive [ binding ] ] in
                      match run_phrase ~print:false ppf phrase with
                      | (Failed | Raised) as st -> Error st
                      | Succeeded -> (
                          let now = !Toploop.toplevel_env in
                          (* The binding stays invisible to the session. *)
                          Toploop.toplevel_env := env;
                          match Env.find_value_by_name (Longident.Lident result_name) now with
                          | exception Not_found -> Error Failed
                          | path, _ -> (
                              match copy_out w (Toploop.eval_value_path now path) with
                              | Some v -> Ok v
                              | None ->
                                  Format.fprintf ppf "Error: the value is not a %s@." (type_name w);
                                  Error Failed))))))

let forget_printers s =
  let rec remove_all path = match Toploop.remove_printer path with () -> remove_all path | exception Not_found -> () in
  List.iter remove_all s.printers;
  s.printers <- []

let free s =
  if s.freed then Ok ()
  else if s.running > 0 then begin
    let msg = "ocamljit: a session cannot be freed while it evaluates" in
    (* Also in what the evaluation prints: a C host has no other way to hear it. *)
    Format.fprintf s.ppf "%s@." msg;
    Error msg
  end
  else begin
    s.freed <- true;
    forget_printers s;
    Phrase_units.forget s.units;
    s.units <- [];
    s.names <- None;
    s.env <- Env.empty;
    Buffer.reset s.buffer;
    match unload_owner s.id with
    | () -> Ok ()
    | exception Failure msg -> Error msg
  end

let init_error : string option ref = ref None

(* #install_printer notes the printer's path in the evaluating session when
   the function is the session's own (its path starts at a toplevel
   identifier, not at a library module), for [free] to remove it. *)
let note_installed_printers () =
  match Toploop.get_directive "install_printer", Toploop.get_directive_info "install_printer" with
  | Some (Toploop.Directive_ident install), Some info ->
      let noting lid =
        install lid;
        match !evaluating, Env.find_value_by_name lid !Toploop.toplevel_env with
        | s :: _, (path, _) when not (Ident.persistent (Path.head path)) -> s.printers <- path :: s.printers
        | _ | (exception Not_found) -> ()
      in
      Toploop.add_directive "install_printer" (Toploop.Directive_ident noting) info
  | _ -> ()

(* The one directive that prints on the stdout channel rather than through
   std_formatter (4.13's #show_dirs, print_endline): the same lines, through
   std_formatter, hence into the session's output. *)
let show_dirs_through_std_formatter () =
  match Toploop.get_directive_info "show_dirs" with
  | None -> ()
  | Some info ->
      Toploop.add_directive "show_dirs"
        (Toploop.Directive_none (fun () -> List.iter (Format.printf "%s@.") (Load_path.get_paths ())))
        info

let rec init () =
  match !initial_env, !init_error with
  | Some _, _ -> Ok ()
  | None, Some e -> Error e
  | None, None -> (
      try
        (* Interfaces linked into the program (libocamljit carries the stdlib's). *)
        Embedded_interfaces.install ();
        Loaders.register_all ();
        Clflags.native_code := true;
        Clflags.debug := true;
        Compmisc.read_clflags_from_env ();
        let loader = embedding_loader (Loader.current ()) in
        Loader.register loader;
        Loader.select loader.name;
        Topcommon.set_paths ();
        Compmisc.init_path ();
        Toploop.initialize_toplevel_env ();
        show_dirs_through_std_formatter ();
        note_installed_printers ();
        initial_env := Some !Toploop.toplevel_env;
        locate_names ();
        base_names := Toplevel_names.get ();
        Ok ()
      with exn ->
        let msg =
          match Location.error_of_exn exn with
          | Some (`Ok e) -> Format.asprintf "%a" Location.print_report e
          | _ -> Printexc.to_string exn
        in
        init_error := Some msg;
        Error msg)


(* Evaluates one definition in a scratch session so that Toplevel_names can
   find the compiler's table by an identifier it holds. Without it, every
   session's identifiers stay in that table (a small leak per definition). *)
and locate_names () =
  let scratch = create () in
  let probe = "ocamljit_probe" in
  if eval scratch ("let " ^ probe ^ " = ()") = Succeeded then begin
    (match Env.find_value_by_name (Longident.Lident probe) scratch.env with
     | Path.Pident id, _ -> ignore (Toplevel_names.locate ~probe:id)
     | _ | (exception Not_found) -> ());
  end;
  ignore (free scratch)

let install_signature_loader find =
  let previous = !Persistent_env.Persistent_signature.load in
  Persistent_env.Persistent_signature.load :=
    fun ~unit_name -> match find unit_name with Some s -> Some s | None -> previous ~unit_name
