(* ocamljit's command line: the options of ocamlnat (from the compiler's
   Main_args), plus -loader. Files ending in .cmxs/.cmx/.cmxa are loaded
   before the session; the first other file is a script, and the arguments
   after it are the script's Sys.argv. *)

let preloaded = ref []

let argv = ref Sys.argv
let position = ref !Arg.current

(* Arguments read from a -args file are spliced into argv: positions before
   this one came from such a file, where a script is not allowed. *)
let first_original = ref 0

let note_expansion at len =
  if at < !first_original then first_original := !first_original + len
  else first_original := at + len + 2

let expanding read file =
  let at = !position in
  let args = read file in
  note_expansion at (Array.length args);
  args

(* The load path set here only serves the preloaded files: both callers
   re-initialise it before the session, so without preloaded files the
   directory scans it costs are skipped. *)
let load_preloaded ppf =
  if !preloaded <> [] then Topcommon.set_paths ();
  match List.for_all (Topeval.load_file false ppf) (List.rev !preloaded) with
  | ok ->
      Topcommon.run_hooks Topcommon.Startup;
      ok
  | exception exn -> (
      try Location.report_exception ppf exn; false
      with exn ->
        Format.fprintf ppf "Uncaught exception: %s\n" (Printexc.to_string exn);
        false)

let is_object name =
  List.exists (Filename.check_suffix name) [ ".cmxs"; ".cmx"; ".cmxa" ]

let file_argument name =
  if is_object name then preloaded := name :: !preloaded
  else if !position < !first_original then begin
    Printf.eprintf
      "For implementation reasons, the toplevel does not support having script \
       files (here %S) inside expanded arguments passed through the -args{,0} \
       command-line option.\n"
      name;
    raise (Compenv.Exit_with_status 2)
  end
  else begin
    let script_args = Array.sub !argv !position (Array.length !argv - !position) in
    Compmisc.read_clflags_from_env ();
    (* Scripts get debug information as interactive phrases do (Toploop.loop
       sets it): Printexc backtraces and gdb line tables name the script's lines. *)
    Clflags.debug := true;
    ignore (Loader.current ());
    let ok = load_preloaded Format.err_formatter && Toploop.run_script Format.err_formatter name script_args in
    raise (Compenv.Exit_with_status (if ok then 0 else 2))
  end

module Options = Main_args.Make_opttop_options (struct
  include Main_args.Default.Opttopmain
  let _stdin () = file_argument ""
  let _args = expanding Arg.read_arg
  let _args0 = expanding Arg.read_arg0
  let anonymous = file_argument
end)

let loader_option () =
  ( "-loader",
    Arg.String Loader.select,
    "<name>  How phrases are loaded: " ^ String.concat ", " (Loader.names ())
    ^ " (default: $OCAMLJIT_LOADER, else the JIT where available)" )

let include_path_from_env () =
  match Sys.getenv_opt "OCAMLTOP_INCLUDE_PATH" with
  | None -> ()
  | Some s -> Clflags.include_dirs := List.rev_append (Misc.split_path_contents s) !Clflags.include_dirs

let main () =
  Loaders.register_all ();
  include_path_from_env ();
  let ppf = Format.err_formatter in
  Clflags.native_code := true;
  Compenv.readenv ppf Before_args;
  Clflags.add_arguments __LOC__ (loader_option () :: Options.list);
  Compenv.parse_arguments ~current:position argv file_argument "ocamljit";
  Compmisc.read_clflags_from_env ();
  (* Fail early on a bad OCAMLJIT_LOADER rather than at the first phrase. *)
  ignore (Loader.current ());
  if not (load_preloaded ppf) then raise (Compenv.Exit_with_status 2);
  Initial_load_path.init_again ();
  Toploop.loop Format.std_formatter

let main () =
  match main () with
  | () -> 0
  | exception Compenv.Exit_with_status n -> n
