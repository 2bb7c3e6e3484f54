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

(* The runtime's natdynlink primitives (what Dynlink's native half uses). *)
type handle

external dlopen_plugin : string -> bool -> handle * Cmxs_format.dynheader = "caml_natdynlink_open"
external run_plugin_unit : handle -> string -> unit = "caml_natdynlink_run"
external global_symbol : string -> Obj.t = "caml_natdynlink_loadsym"

let find_symbol sym = match global_symbol sym with v -> Some v | exception Failure _ -> None

let header (u : Cmxs_format.dynunit) =
  { Library_loader.name = u.dynu_name; crc = u.dynu_crc; imports_cmi = u.dynu_imports_cmi;
    imports_cmx = u.dynu_imports_cmx }

(* A .cmxs, as Dynlink.loadfile does it: the dynamic loader opens it
   (global symbols), its units are checked against the process, then its
   startup code and each unit's initialisation run, in order. *)
let load_shared_object cmxs =
  (* dlopen looks a name without a slash up on the library path. *)
  let cmxs = if Filename.is_implicit cmxs then Filename.concat (Sys.getcwd ()) cmxs else cmxs in
  match dlopen_plugin cmxs true with
  | exception Failure msg -> Error (Loader.Load_failed ("error while linking " ^ cmxs ^ ".\n" ^ msg))
  | handle, dynheader -> (
      if dynheader.dynu_magic <> Config.cmxs_magic_number then
        Error (Loader.Load_failed (cmxs ^ " is not an object file"))
      else
        let units = List.map header dynheader.dynu_units in
        match Library_loader.check_shared_object cmxs units with
        | Error msg -> Error (Loader.Load_failed msg)
        | Ok () -> (
            match
              run_plugin_unit handle "_shared_startup";
              List.iter
                (fun (u : Cmxs_format.dynunit) -> List.iter (run_plugin_unit handle) u.dynu_defines)
                dynheader.dynu_units
            with
            | () ->
                Library_loader.record_shared_object cmxs units;
                Ok ()
            | exception exn -> Error (Loader.Raised exn)))

(* A .cmx or .cmxa made into a .cmxs. Every unit of a .cmxa is linked, as
   the bytecode toplevel's [#load "x.cma"] loads every unit: stock ocamlnat
   links only the units something requires (none), so [#require "zarith"]
   loaded an empty plugin there and phrases found neither [Z] nor its C
   stubs. The library's own directory is searched for its C stub archives
   ([-lX]), as the in-memory loader does. The compiler's link flags and C
   objects are restored afterwards: Asmlink appends each library's to them;
   so is the input name, which compiling the plugin's start-up unit sets to
   "caml_startup" (later phrases' locations, and ppx rewriters deriving a
   module path from it, saw that name). *)
let link_plugin ppf path cmxs =
  let link_everything = !Clflags.link_everything
  and ccobjs = !Clflags.ccobjs
  and ccopts = !Clflags.all_ccopts
  and input_name = !Location.input_name in
  Fun.protect
    ~finally:(fun () ->
      Location.input_name := input_name;
      Clflags.link_everything := link_everything;
      Clflags.ccobjs := ccobjs;
      Clflags.all_ccopts := ccopts;
      Asmlink.reset ())
    (fun () ->
      Asmlink.reset ();
      Clflags.link_everything := true;
      Clflags.all_ccopts := ("-L" ^ Filename.quote (Filename.dirname path)) :: ccopts;
      Asmlink.link_shared ~ppf_dump:ppf [ path ] cmxs)

let load_file ppf path =
  let needs_link =
    Filename.check_suffix path ".cmx" || Filename.check_suffix path ".cmxa"
  in
  if needs_link && Library_loader.units_all_present path then Ok () else
  let cmxs = if needs_link then Filename.temp_file "ocamljit" ".cmxs" else path in
  Fun.protect
    ~finally:(fun () -> if needs_link then remove_quietly cmxs)
    (fun () ->
      match if needs_link then link_plugin ppf path cmxs with
      | () -> load_shared_object cmxs
      | exception exn -> (
          match Library_loader.load_error_of_exn exn with
          | Some e -> Error e
          | None -> Error (Loader.Raised exn)))

let loader =
  {
    Loader.name = "external";
    writes_files = (fun () -> true);
    prepare_unit;
    run_unit;
    find_symbol;
    load_file;
  }
