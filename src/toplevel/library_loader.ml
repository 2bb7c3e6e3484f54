(* Libraries linked in memory. The checks follow Dynlink's (4.13
   dynlink_common.ml) and report with its words; the objects go through the
   C++ linker like a phrase's. *)

type link_result =
  | Linked
  | Link_failed of string
  | Undefined of string * string
[@@warning "-37"] (* built by the C stubs *)

external link_ir : string -> string -> link_result = "ocamljit_jit_link_ir"

type library_result =
  | Library_linked of int  (* a handle for forget_library *)
  | Library_failed of string
  | Library_undefined of string * string  (* first undefined symbol, message *)
[@@warning "-37"] (* built by the C stubs *)

(* The OCaml objects (each .a with every member, or .o), the units' symbol
   prefixes in initialisation order (registered, not run), the C arguments
   (lib_ccobjs @ lib_ccopts), extra library directories. *)
external link_library : string array -> string array -> string array -> string array -> library_result
  = "ocamljit_jit_link_library"

type file_bytes = (char, Bigarray.int8_unsigned_elt, Bigarray.c_layout) Bigarray.Array1.t

(* The same, with files read from memory rather than disk, by name. *)
external link_library_in_memory :
  string array -> string array -> string array -> string array -> (string * file_bytes) array -> library_result
  = "ocamljit_jit_link_library_in_memory"

(* Initialisation raised: the library's global symbols leave lookups. *)
external forget_library : int -> unit = "ocamljit_jit_forget_library"
external run_entry : string -> (Obj.t, exn) result = "ocamljit_jit_run_entry"
external find_symbol : string -> Obj.t option = "ocamljit_jit_find_symbol"
external raw_timings : unit -> int * int * int = "ocamljit_jit_last_timings"

(* The units the executable was linked with, as ocamlopt recorded them
   (the map Dynlink starts from). *)
type global_map = {
  name : string;
  crc_intf : Digest.t option;
  crc_impl : Digest.t option;
  syms : string list;
}
[@@warning "-69"]

external executable_units : unit -> global_map list = "caml_natdynlink_getmap"

exception Refused of string

let refuse fmt = Printf.ksprintf (fun s -> raise (Refused s)) fmt

(* ---------------------------------------------------------------------- *)
(* What the process holds: interface and implementation CRCs by unit name,
   with the file that brought them. *)

let interfaces : (string, Digest.t * string) Hashtbl.t = Hashtbl.create 512
let implementations : (string, Digest.t option * string) Hashtbl.t = Hashtbl.create 512

let known =
  lazy
    (List.iter
       (fun u ->
         Option.iter (fun crc -> Hashtbl.replace interfaces u.name (crc, "the executable")) u.crc_intf;
         if u.crc_impl <> None then Hashtbl.replace implementations u.name (u.crc_impl, "the executable"))
       (executable_units ()))

(* A unit is in the process if we know it, or if its symbol is there
   (a unit Dynlink loaded, a phrase). *)
let unit_present (ui : Cmx_format.unit_infos) =
  Hashtbl.mem implementations ui.ui_name || Option.is_some (find_symbol ("caml" ^ ui.ui_symbol))

(* What the checks need of a unit: from its .cmx, or from a .cmxs's header. *)
type unit_header = {
  name : string;
  crc : Digest.t;
  imports_cmi : (string * Digest.t option) list;
  imports_cmx : (string * Digest.t option) list;
}

let header_of_cmx ((ui : Cmx_format.unit_infos), crc) =
  { name = ui.ui_name; crc; imports_cmi = ui.ui_imports_cmi; imports_cmx = ui.ui_imports_cmx }

(* Dynlink's checks, against the process and the earlier units of the file. *)
let check file (units : unit_header list) =
  (* What the file adds, over the process's tables (not copied: they are
     large and this runs for every library). *)
  let new_ifaces = Hashtbl.create 64 and new_implems = Hashtbl.create 64 in
  let find added table name =
    match Hashtbl.find_opt added name with Some _ as r -> r | None -> Hashtbl.find_opt table name
  in
  List.iter
    (fun u ->
      List.iter
        (fun (name, crc) ->
          match crc, find new_ifaces interfaces name with
          | None, _ -> ()
          | Some crc, None -> Hashtbl.replace new_ifaces name (crc, file)
          | Some crc, Some (old, _) -> if crc <> old then refuse "interface mismatch on %s" name)
        u.imports_cmi;
      List.iter
        (fun (name, crc) ->
          match crc, find new_implems implementations name with
          | Some crc, Some (Some old, _) when crc <> old -> refuse "implementation mismatch on %s" name
          | _, Some _ -> ()
          | _, None ->
              if Option.is_none (find_symbol ("caml" ^ name)) then
                refuse "no implementation available for %s" name)
        u.imports_cmx;
      Hashtbl.replace new_implems u.name (Some u.crc, file))
    units;
  (* The typing environment checks the interfaces it reads against these
     from now on, as the bytecode toplevel's #load does. *)
  List.iter
    (fun u ->
      try Env.import_crcs ~source:file u.imports_cmi
      with Persistent_env.Consistbl.Inconsistency { unit_name; _ } ->
        refuse "interface mismatch on %s" unit_name)
    units

let record file units =
  List.iter
    (fun u ->
      Option.iter (fun c -> Hashtbl.replace interfaces u.name (c, file))
        (Option.join (List.assoc_opt u.name u.imports_cmi));
      Hashtbl.replace implementations u.name (Some u.crc, file))
    units

(* Dynlink's words for a unit that is in the process already. *)
let refuse_already_loaded name =
  refuse "The module `%s' is already loaded (either by the main program or a \
          previously-dynlinked library)" name

(* A .cmxs the system's dynamic loader opened (External_loader). *)
let check_shared_object file units =
  Lazy.force known;
  match
    List.iter
      (fun u -> if Hashtbl.mem implementations u.name then refuse_already_loaded u.name)
      units;
    check file units
  with
  | () -> Ok ()
  | exception Refused msg -> Error msg

let record_shared_object = record

(* ---------------------------------------------------------------------- *)
(* The generic functions (caml_curryN, caml_applyN, caml_sendN) that ocamlopt
   generates when it links a program: those the library's units use and the
   process lacks are compiled into a unit of their own and linked first. *)

let generic_counter = ref 0

let missing_generic_functions (units : Cmx_format.unit_infos list) =
  let here s = Option.is_some (find_symbol s) in
  let curry n = if n >= 0 then "caml_curry" ^ string_of_int n else "caml_tuplify" ^ string_of_int (-n) in
  (* Each arity looked up once: a miss costs a dlsym over every loaded object. *)
  let missing name l = List.filter (fun n -> not (here (name n))) (List.sort_uniq compare l) in
  let all f = List.concat_map f units in
  ( missing curry (all (fun ui -> ui.ui_curry_fun)),
    missing (fun n -> "caml_apply" ^ string_of_int n) (all (fun ui -> ui.ui_apply_fun)),
    missing (fun n -> "caml_send" ^ string_of_int n) (all (fun ui -> ui.ui_send_fun)) )

let link_generic_functions units =
  match missing_generic_functions units, units with
  | ([], [], []), _ | _, [] -> ()
  | (curry, apply, send), first :: _ ->
      incr generic_counter;
      let unit_name = Printf.sprintf "_ocamljit_generic%d" !generic_counter in
      let needed = { first with Cmx_format.ui_curry_fun = curry; ui_apply_fun = apply; ui_send_fun = send } in
      let ir = ref None in
      Compiler_api.set_assembler (fun program ->
          ir := Some (X86_ir.serialise program);
          fun _ -> ());
      Compilenv.reset ?packname:None unit_name;
      Asmgen.compile_unit ~output_prefix:unit_name ~asm_filename:"" ~keep_asm:false ~obj_filename:""
        (fun () ->
          Emit.begin_assembly ();
          List.iter (Asmgen.compile_phrase ~ppf_dump:Format.err_formatter)
            (Cmm_helpers.generic_functions false [ needed ]);
          Emit.end_assembly ());
      match !ir with
      | None -> refuse "could not compile the generic functions"
      | Some ir -> (
          match link_ir ir ("caml" ^ unit_name) with
          | Linked -> ()
          | Link_failed msg | Undefined (_, msg) -> refuse "%s" msg)

(* ---------------------------------------------------------------------- *)
(* Loading *)

type timings = { check_ns : int; read_ns : int; link_ns : int; register_ns : int; init_ns : int }

let last = ref { check_ns = 0; read_ns = 0; link_ns = 0; register_ns = 0; init_ns = 0 }
let last_timings () = !last
let ns_since t0 = int_of_float ((Timings.now () -. t0) *. 1e9)

(* With OCAMLJIT_TIMINGS=FILE, one line per library, next to the phrases'. *)
let log_timings file =
  match Sys.getenv_opt "OCAMLJIT_TIMINGS" with
  | None | Some "" -> ()
  | Some log -> (
      let t = !last in
      let us ns = ns / 1000 in
      match open_out_gen [ Open_append; Open_creat; Open_wronly ] 0o644 log with
      | exception Sys_error _ -> ()
      | oc ->
          Printf.fprintf oc "library=%s\tcheck_us=%d\tread_us=%d\tlink_us=%d\tregister_us=%d\tinit_us=%d\n"
            file (us t.check_ns) (us t.read_ns) (us t.link_ns) (us t.register_ns) (us t.init_ns);
          close_out oc)

let run_entries prefixes =
  List.fold_left
    (fun acc prefix ->
      match acc with
      | Error _ -> acc
      | Ok () -> (
          match run_entry prefix with Ok _ -> Ok () | Error exn -> Error (Loader.Raised exn)))
    (Ok ()) prefixes

(* What to link for the units of [file]: its objects, the C arguments. *)
type library = {
  file : string;
  units : (Cmx_format.unit_infos * Digest.t) list;
  objects : string list;         (* a .a (every member) or a .o *)
  c_arguments : string list;     (* lib_ccobjs @ lib_ccopts *)
  memory_files : (string * file_bytes) list;  (* files by name, not on disk *)
}

(* Where -lfoo is looked for, as ocamlopt's link: the library's directory,
   the load path (findlib adds package directories to it), the stdlib. *)
let search_dirs lib =
  let own = if lib.memory_files = [] then [ Filename.dirname lib.file ] else [] in
  List.sort_uniq compare (own @ Load_path.get_paths ()) @ [ Config.standard_library ]

let link lib prefixes =
  let objects = Array.of_list lib.objects and prefixes = Array.of_list prefixes in
  let c_arguments = Array.of_list lib.c_arguments and dirs = Array.of_list (search_dirs lib) in
  if lib.memory_files = [] then link_library objects prefixes c_arguments dirs
  else link_library_in_memory objects prefixes c_arguments dirs (Array.of_list lib.memory_files)

let load lib =
  let t0 = Timings.now () in
  Lazy.force known;
  if List.for_all (fun (ui, _) -> unit_present ui) lib.units then Ok ()
  else begin
    (match List.find_opt (fun (ui, _) -> unit_present ui) lib.units with
     | Some (ui, _) -> refuse_already_loaded ui.Cmx_format.ui_name
     | None -> ());
    List.iter
      (fun o ->
        if not (List.mem_assoc o lib.memory_files || Sys.file_exists o) then refuse "cannot find %s" o)
      lib.objects;
    check lib.file (List.map header_of_cmx lib.units);
    let check_ns = ns_since t0 in
    let prefixes = List.map (fun ((ui : Cmx_format.unit_infos), _) -> "caml" ^ ui.ui_symbol) lib.units in
    link_generic_functions (List.map fst lib.units);
    match link lib prefixes with
    | Library_undefined (_, msg) | Library_failed msg -> refuse "%s" msg
    | Library_linked handle ->
        let read_archives_ns, link_ns, register_ns = raw_timings () in
        let t1 = Timings.now () in
        let result = run_entries prefixes in
        last := { check_ns; read_ns = read_archives_ns; link_ns; register_ns; init_ns = ns_since t1 };
        log_timings lib.file;
        (match result with
         | Ok () -> record lib.file (List.map header_of_cmx lib.units)
         | Error _ -> forget_library handle);
        result
  end

let library_of_cmxa path =
  let li = Compilenv.read_library_info path in
  {
    file = path;
    units = li.lib_units;
    objects = (if li.lib_units = [] then [] else [ Filename.remove_extension path ^ Config.ext_lib ]);
    c_arguments = li.lib_ccobjs @ li.lib_ccopts;
    memory_files = [];
  }

let library_of_cmx path =
  let ui, crc = Compilenv.read_unit_info path in
  { file = path; units = [ (ui, crc) ]; objects = [ Filename.remove_extension path ^ Config.ext_obj ];
    c_arguments = []; memory_files = [] }

let units_all_present path =
  Lazy.force known;
  match if Filename.check_suffix path ".cmx" then library_of_cmx path else library_of_cmxa path with
  | lib -> lib.units <> [] && List.for_all (fun (ui, _) -> unit_present ui) lib.units
  | exception _ -> false

(* A .cmxa's contents: its magic number, then its library_infos (what
   Compilenv.read_library_info reads from a file). *)
let library_infos_of_bytes name (bytes : file_bytes) : Cmx_format.library_infos =
  let contents = String.init (Bigarray.Array1.dim bytes) (Bigarray.Array1.get bytes) in
  let magic = Config.cmxa_magic_number in
  let n = String.length magic in
  if String.length contents < n || String.sub contents 0 n <> magic then
    refuse "%s is not a compilation unit description" name;
  Marshal.from_string contents n

let load_error_of_exn = function
  | Refused msg -> Some (Loader.Load_failed msg)
  | Compilenv.Error e -> Some (Loader.Load_failed (Format.asprintf "%a" Compilenv.report_error e))
  | Asmlink.Error e -> Some (Loader.Load_failed (Format.asprintf "%a" Asmlink.report_error e))
  | Sys_error msg -> Some (Loader.Load_failed msg)
  | Failure _ | End_of_file | Invalid_argument _ ->
      (* input_value or Marshal on a truncated or garbled file *)
      Some (Loader.Load_failed "corrupted compilation unit or library description")
  | _ -> None

let failure_of exn = match load_error_of_exn exn with Some e -> Error e | None -> raise exn

let load_from_memory ~files name =
  match
    let cmxa =
      match List.assoc_opt name files with Some b -> b | None -> refuse "cannot find %s" name
    in
    let li = library_infos_of_bytes name cmxa in
    load
      {
        file = name;
        units = li.lib_units;
        objects = (if li.lib_units = [] then [] else [ Filename.remove_extension name ^ Config.ext_lib ]);
        c_arguments = li.lib_ccobjs @ li.lib_ccopts;
        memory_files = files;
      }
  with
  | result -> result
  | exception exn -> failure_of exn

let load_file _ppf path =
  let base = Filename.remove_extension path in
  let library =
    match Filename.extension path with
    | ".cmxa" -> Some (fun () -> library_of_cmxa path)
    | ".cmx" -> Some (fun () -> library_of_cmx path)
    | ".cmxs" when Sys.file_exists (base ^ ".cmxa") && Sys.file_exists (base ^ Config.ext_lib) ->
        Some (fun () -> library_of_cmxa (base ^ ".cmxa"))
    | _ -> None
  in
  match library with
  | None -> None
  | Some read -> (
      match load (read ()) with
      | result -> Some result
      | exception exn -> Some (failure_of exn))
