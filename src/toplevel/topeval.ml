(* ocamljit's evaluator: the backend-specific half of the toplevel.
   A phrase is typed, translated to Lambda and compiled to a native unit
   named TOP<n> by the compiler's own backend; the selected [Loader] makes it
   live in the process and runs it. Values of earlier phrases are found
   through the globals of their units (Translmod's toplevel table). *)

open Format

let implementation_label = "ocamljit native toplevel"

(* The bytecode toplevel's getvalue/setvalue are never used natively. *)
let getvalue _ = invalid_arg "Topeval.getvalue: not available in the native toplevel"
let setvalue _ _ = invalid_arg "Topeval.setvalue: not available in the native toplevel"

let may_trace = ref false

(* ---------------------------------------------------------------------- *)
(* Symbols *)

let loader () = Loader.current ()

let global_value id =
  let sym = Compilenv.symbol_for_global id in
  match (loader ()).find_symbol sym with
  | Some v -> v
  | None -> raise (Topcommon.Undefined_global (Ident.name id))

(* The compiler asks, for each generic helper (caml_curryN, caml_applyN...),
   whether the phrase must carry its own copy. *)
let need_symbol sym = Option.is_none ((loader ()).find_symbol sym)

let toplevel_value id =
  match Compiler_api.toplevel_global id with
  | unit_id, pos -> Obj.field (global_value unit_id) pos
  | exception Not_found -> raise (Topcommon.Undefined_global (Ident.name id))

module EvalBase = struct
  let eval_ident id =
    if Ident.persistent id || Ident.global id then global_value id else toplevel_value id
end

include Topcommon.MakeEvalPrinter (EvalBase)

(* ---------------------------------------------------------------------- *)
(* Compilation of one phrase *)

let phrase_counter = ref 0

(* Deep phrases overflow the compiler's stack, and the 4.13 runtime does
   not survive a caught Stack_overflow: more stack (src/debug/stack_limit_stubs.cpp). *)
external raise_stack_limit : unit -> unit = "ocamljit_raise_stack_limit"
let () = raise_stack_limit ()

(* An exception the compiler or a directive lets out by mistake (e.g. 4.13's
   `#show` on a class: Assert_failure in Signature_group) is reported as an
   error of the phrase; the toplevel's loop would otherwise end the session. *)
let () =
  Location.register_error_of_exn (function
    | (Assert_failure _ | Match_failure _ | Not_found | Invalid_argument _ | Failure _) as exn ->
        Some (Location.errorf ~loc:(Location.in_file !Location.input_name)
                "the compiler failed on this phrase: %s" (Printexc.to_string exn))
    | _ -> None)

(* Where the compiler writes the unit's files, when the loader needs files. *)
let unit_prefix (l : Loader.t) unit_name =
  if !Clflags.keep_asm_file || not (l.writes_files ()) then unit_name
  else begin
    let reserved = Filename.temp_file ("caml" ^ unit_name) "" in
    (* temp_file created an empty placeholder to reserve the name. *)
    (try Sys.remove reserved with Sys_error _ -> ());
    reserved
  end

let compile_and_run ppf ~unit_name ~size lam =
  if !Clflags.dump_rawlambda then fprintf ppf "%a@." Printlambda.lambda lam;
  let lam = Timings.time "translate" (fun () -> Simplif.simplify_lambda lam) in
  if !Clflags.dump_lambda then fprintf ppf "%a@." Printlambda.lambda lam;
  let l = loader () in
  let prefix = unit_prefix l unit_name in
  l.prepare_unit ~prefix;
  (* The assembler runs inside compile_implementation; it times itself. *)
  Phrase_units.before_compile ();
  Timings.time_excluding "compile" ~excluding:"assemble" (fun () ->
      Compiler_api.compile_unit ppf ~unit_name ~prefix ~need_symbol ~size lam);
  (* Recorded before the unit runs: a phrase that evaluates phrases
     (Toploop.execute_phrase) resets Compilenv for each of them. Sessions
     keep their own (Phrase_units). *)
  Phrase_units.after_compile ();
  match l.run_unit ppf ~unit_name ~prefix with
  | Loader.Result v -> Topcommon.Result v
  | Loader.Exception exn ->
      Topcommon.record_backtrace ();
      Topcommon.Exception exn

(* ---------------------------------------------------------------------- *)
(* Execution of a phrase *)

let outcome_of_signature env sg =
  Printtyp.print_items
    (fun env -> function
      | Types.Sig_value (id, { val_kind = Val_reg; val_type; _ }, _) ->
          Some (outval_of_value env (toplevel_value id) val_type)
      | _ -> None)
    env sg

let execute_definition print_outcome ppf sstr =
  let oldenv = !Topcommon.toplevel_env in
  incr phrase_counter;
  let unit_name = Printf.sprintf "TOP%d" !phrase_counter in
  Timings.start_phrase ();
  Compiler_api.reset_unit unit_name;
  let { Compiler_api.structure = str; signature = sg'; env = newenv } =
    Timings.time "typing" (fun () -> Compiler_api.type_phrase ppf oldenv sstr)
  in
  (* An expression's value is printed as "- : type = value". *)
  let translated, result =
    match Compiler_api.bind_result str with
    | Some (bound, id, ty) -> (bound, Some (id, ty))
    | None -> (str, None)
  in
  let size, lam =
    Timings.time "translate" (fun () ->
        let size, lam = Compiler_api.translate_phrase ~unit_name translated in
        (size, Extension_names.unprefix ~unit_name lam))
  in
  Warnings.check_fatal ();
  try
    Topcommon.toplevel_env := newenv;
    let out_phr =
      match compile_and_run ppf ~unit_name ~size lam with
      | Topcommon.Result _ ->
          if not print_outcome then Outcometree.Ophr_signature []
          else
            Timings.time "print" (fun () ->
                Printtyp.wrap_printing_env ~error:false oldenv (fun () ->
                    match str.str_items, result with
                    | [], _ -> Outcometree.Ophr_signature []
                    | _, Some (id, ty) ->
                        let v = outval_of_value newenv (toplevel_value id) ty in
                        Outcometree.Ophr_eval (v, Printtyp.tree_of_type_scheme ty)
                    | _, None -> Outcometree.Ophr_signature (outcome_of_signature oldenv sg')))
      | Topcommon.Exception exn ->
          Topcommon.toplevel_env := oldenv;
          if exn = Out_of_memory then Gc.full_major ();
          let v = outval_of_value !Topcommon.toplevel_env (Obj.repr exn) Predef.type_exn in
          Outcometree.Ophr_exception (exn, v)
    in
    Timings.time "print" (fun () -> !Topcommon.print_out_phrase ppf out_phr);
    (* As the bytecode toplevel: the backtrace of an uncaught exception
       (recorded by compile_and_run) follows it. *)
    if Printexc.backtrace_status () then begin
      match !Topcommon.backtrace with
      | None -> ()
      | Some b ->
          Format.pp_print_string ppf b;
          Format.pp_print_flush ppf ();
          Topcommon.backtrace := None
    end;
    Timings.end_phrase ~unit_name;
    match out_phr with
    | Outcometree.Ophr_exception _ -> false
    | Outcometree.Ophr_eval _ | Outcometree.Ophr_signature _ -> true
  with exn ->
    Topcommon.toplevel_env := oldenv;
    raise exn

let execute_directive ppf name arg =
  let open Parsetree in
  let wrong what =
    fprintf ppf "%s for directive `%s'.@." what name;
    false
  in
  match Topcommon.get_directive name, arg with
  | None, _ ->
      fprintf ppf "Unknown directive `%s'." name;
      Misc.did_you_mean ppf (fun () -> Misc.spellcheck (Topcommon.all_directive_names ()) name);
      fprintf ppf "@.";
      false
  | Some (Topcommon.Directive_none f), None -> f (); true
  | Some (Topcommon.Directive_string f), Some { pdira_desc = Pdir_string s; _ } -> f s; true
  | Some (Topcommon.Directive_int f), Some { pdira_desc = Pdir_int (n, None); _ } -> (
      match Misc.Int_literal_converter.int n with
      | n -> f n; true
      | exception _ -> wrong "Integer literal exceeds the range of representable integers")
  | Some (Topcommon.Directive_int _), Some { pdira_desc = Pdir_int (_, Some _); _ } ->
      wrong "Wrong integer literal"
  | Some (Topcommon.Directive_ident f), Some { pdira_desc = Pdir_ident lid; _ } -> f lid; true
  | Some (Topcommon.Directive_bool f), Some { pdira_desc = Pdir_bool b; _ } -> f b; true
  | Some _, _ -> wrong "Wrong type of argument"

(* What Ppx_in_process needs of the session: phrases run silently, values
   of the phrases, the typing environment restored. *)
let ppx_session =
  let rec run text =
    let buf = Buffer.create 256 in
    let out = formatter_of_buffer buf in
    let failed () = pp_print_flush out (); Error (Buffer.contents buf) in
    match List.for_all (fun phr -> execute_phrase false out phr) (Parse.use_file (Lexing.from_string text)) with
    | true -> Ok ()
    | false -> failed ()
    | exception exn -> (try Location.report_exception out exn with _ -> ()); failed ()
  and execute_phrase print ppf = function
    | Parsetree.Ptop_def sstr -> execute_definition print ppf sstr
    | Parsetree.Ptop_dir { pdir_name = { txt; _ }; pdir_arg; _ } -> execute_directive ppf txt pdir_arg
  in
  let value name =
    match Env.find_value_by_name (Longident.Lident name) !Topcommon.toplevel_env with
    | Path.Pident id, _ -> Some (toplevel_value id)
    | _ | (exception Not_found) -> None
  in
  let forget f =
    let env = !Topcommon.toplevel_env and paths = Load_path.get_paths () in
    Fun.protect f ~finally:(fun () ->
        Topcommon.toplevel_env := env;
        List.iter (fun d -> if not (List.mem d paths) then Load_path.remove_dir d) (Load_path.get_paths ()))
  in
  { Ppx_in_process.run; value; forget }

let execute_phrase print_outcome ppf phr =
  Ppx_in_process.install ();
  match phr with
  | Parsetree.Ptop_def sstr ->
      execute_definition print_outcome ppf (Ppx_in_process.rewrite ppx_session sstr)
  | Parsetree.Ptop_dir { pdir_name = { txt; _ }; pdir_arg; _ } ->
      execute_directive ppf txt pdir_arg

(* ---------------------------------------------------------------------- *)
(* #load and files given on the command line *)

let load_file _recursive ppf name =
  match Load_path.find name with
  | exception Not_found ->
      fprintf ppf "Cannot find file %s.@." name;
      false
  | path -> (
      match (loader ()).load_file ppf path with
      | Ok () -> true
      | Error (Loader.Load_failed msg) ->
          fprintf ppf "Error while loading %s: %s.@." path msg;
          false
      | Error (Loader.Raised exn) ->
          print_exception_outcome ppf exn;
          false)

(* Parsing happens in Toploop, before a phrase reaches us. *)
let time_parsing () =
  if Timings.enabled then begin
    let parse = !Topcommon.parse_toplevel_phrase in
    Topcommon.parse_toplevel_phrase :=
      fun lb ->
        let t0 = Timings.now () in
        Fun.protect ~finally:(fun () -> Timings.note_parse (Timings.now () -. t0)) (fun () -> parse lb)
  end

let init () =
  Compiler_api.configure_gc ();
  time_parsing ();
  Compmisc.init_path ();
  Initial_load_path.record ();
  (* Phrases are position-independent, like the code of a shared object. *)
  Clflags.dlcode := true;
  (* A phrase naming a library module whose .cmx is not installed (Toploop,
     which compiler-libs ships as .cmi only; topfind's script names it) only
     loses cross-module inlining: not worth a warning the bytecode toplevel
     never gives. *)
  Warnings.parse_options false "-58" |> ignore
