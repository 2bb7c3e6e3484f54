(* Result of the runtime's "load a shared object and run its unit" primitive:
   tag 0 carries the entry's result, tag 1 the dlopen error message. *)
type run_result = Ran of Obj.t | Dlopen_failed of string [@@warning "-37"]

external run_shared_object : string -> string -> run_result
  = "caml_natdynlink_run_toplevel"

let remove_quietly file = try Sys.remove file with Sys_error _ -> ()

(* The compiler hands the unit's assembly program to this hook; we print it
   as GNU as syntax and run the system assembler ourselves, as stock ocamlnat
   does through Proc.assemble_file, so that its time can be measured. *)
let assemble_with_as ~prefix program =
  let source = prefix ^ Config.ext_asm in
  let oc = open_out source in
  Fun.protect ~finally:(fun () -> close_out oc) (fun () -> X86_gas.generate_asm oc program);
  fun obj ->
    Fun.protect
      ~finally:(fun () -> if not !Clflags.keep_asm_file then remove_quietly source)
      (fun () ->
        let command =
          String.concat " "
            ([ Config.asm ] @ Misc.debug_prefix_map_flags ()
            @ [ "-o"; Filename.quote obj; Filename.quote source ])
        in
        if Timings.time "assemble" (fun () -> Ccomp.command command) <> 0 then
          raise (Asmgen.Error (Asmgen.Assembler_error source)))

let prepare_unit ~prefix = Compiler_api.set_assembler (assemble_with_as ~prefix)

(* dlopen reports a missing symbol as "FILE: undefined symbol: NAME". *)
let dlopen_error msg =
  let marker = "undefined symbol: " in
  let m = String.length marker and n = String.length msg in
  let rec find i =
    if i + m > n then None
    else if String.sub msg i m = marker then Some (String.trim (String.sub msg (i + m) (n - i - m)))
    else find (i + 1)
  in
  match find 0 with
  | Some sym -> Loader.undefined_symbol_error sym
  | None -> Failure ("ocamljit: cannot load phrase: " ^ msg)

let run_unit _ppf ~unit_name ~prefix =
  let obj = prefix ^ Config.ext_obj in
  let dll = prefix ^ Config.ext_dll in
  let dll = if Filename.is_implicit dll then Filename.concat (Sys.getcwd ()) dll else dll in
  Fun.protect
    ~finally:(fun () -> remove_quietly obj; remove_quietly dll)
    (fun () ->
      Timings.time "link" (fun () -> Asmlink.call_linker_shared [ obj ] dll);
      match Timings.time "load" (fun () -> run_shared_object dll unit_name) with
      | Ran v -> Loader.Result v
      | Dlopen_failed msg -> raise (dlopen_error msg)
      | exception exn -> Loader.Exception exn)

let find_symbol sym = Dynlink.unsafe_get_global_value ~bytecode_or_asm_symbol:sym

let load_file ppf path =
  let needs_link =
    Filename.check_suffix path ".cmx" || Filename.check_suffix path ".cmxa"
  in
  let cmxs = if needs_link then Filename.temp_file "ocamljit" ".cmxs" else path in
  Fun.protect
    ~finally:(fun () -> if needs_link then remove_quietly cmxs)
    (fun () ->
      match
        if needs_link then Asmlink.link_shared ~ppf_dump:ppf [ path ] cmxs;
        Dynlink.loadfile cmxs
      with
      | () -> Ok ()
      | exception Dynlink.Error err -> Error (Loader.Load_failed (Dynlink.error_message err))
      | exception exn -> Error (Loader.Raised exn))

let loader =
  {
    Loader.name = "external";
    writes_files = (fun () -> true);
    prepare_unit;
    run_unit;
    find_symbol;
    load_file;
  }
