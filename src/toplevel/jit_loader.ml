type link_result =
  | Linked
  | Link_failed of string
  | Undefined of string * string  (** first undefined symbol, message *)
[@@warning "-37"] (* built by the C stubs *)

external link_object_file : string -> string -> link_result = "ocamljit_jit_link_object_file"
external link_ir : string -> string -> link_result = "ocamljit_jit_link_ir"
external run_entry : string -> (Obj.t, exn) result = "ocamljit_jit_run_entry"
external find_symbol : string -> Obj.t option = "ocamljit_jit_find_symbol"
external raw_timings : unit -> int * int * int = "ocamljit_jit_last_timings"
external memory_stats : unit -> int * int = "ocamljit_jit_memory_stats"

type timings = { assemble_ns : int; link_ns : int; register_ns : int }

let last_timings () =
  let assemble_ns, link_ns, register_ns = raw_timings () in
  { assemble_ns; link_ns; register_ns }

exception Link_error of string

let () =
  Location.register_error_of_exn (function
    | Link_error msg -> Some (Location.errorf "%s" msg)
    | _ -> None)

let remove_quietly file = try Sys.remove file with Sys_error _ -> ()

let stats_requested = Sys.getenv_opt "OCAMLJIT_JIT_STATS" <> None
let total = ref (0, 0, 0)

let account () =
  if Timings.enabled then begin
    let t = last_timings () in
    let s ns = float ns *. 1e-9 in
    Timings.add "assemble" (s t.assemble_ns);
    Timings.add "link" (s t.link_ns);
    Timings.add "load" (s t.register_ns)
  end;
  if stats_requested then begin
    let t = last_timings () in
    let a, l, r = !total in
    total := (a + t.assemble_ns, l + t.link_ns, r + t.register_ns)
  end

(* The process's peak resident set, from /proc (Linux). *)
let peak_rss_kib () =
  match open_in "/proc/self/status" with
  | exception Sys_error _ -> 0
  | ic ->
      let rec find () =
        match input_line ic with
        | line when String.length line > 6 && String.sub line 0 6 = "VmHWM:" ->
            Scanf.sscanf (String.sub line 6 (String.length line - 6)) " %d" Fun.id
        | _ -> find ()
        | exception End_of_file -> 0
      in
      Fun.protect ~finally:(fun () -> close_in ic) find

let () =
  if stats_requested then
    at_exit (fun () ->
        let units, bytes = memory_stats () in
        let a, l, r = !total in
        let per x = if units = 0 then 0. else float x /. float units /. 1000. in
        Printf.eprintf
          "ocamljit jit: %d units, assemble %.1f us, link %.1f us, register %.1f us per unit; \
           %d bytes of JIT memory (%.0f per unit); peak RSS %d KiB\n%!"
          units (per a) (per l) (per r) bytes
          (if units = 0 then 0. else float bytes /. float units)
          (peak_rss_kib ()))

let link_and_run ~unit_name link =
  match link () with
  | Linked -> (
      account ();
      match Timings.time "run" (fun () -> run_entry ("caml" ^ unit_name)) with
      | Ok v -> Loader.Result v
      | Error exn -> Loader.Exception exn)
  | Undefined (sym, _) -> raise (Loader.undefined_symbol_error sym)
  | Link_failed msg -> raise (Link_error msg)

(* Where a phrase's object comes from: the in-process assembler (the
   compiler's assembly program, serialised as IR, assembled and linked by the
   C++ engine: no file, no process), or GNU as writing the unit's .o, read back
   by the ELF reader (OCAMLJIT_JIT_OBJECTS=as). *)
let in_process = Sys.getenv_opt "OCAMLJIT_JIT_OBJECTS" <> Some "as"

(* The IR of the unit being compiled, handed over by the compiler's hook. *)
let pending_ir : string option ref = ref None

(* OCAMLJIT_DUMP_IR=DIR keeps each unit's IR as DIR/TOPn.ir (for ocamljit-ir). *)
let dump_ir = Ir_dump.directory () <> None
let pending_name = ref ""

let capture_ir program =
  let ir = X86_ir.serialise program in
  if dump_ir then Ir_dump.maybe_dump ~name:!pending_name ir;
  pending_ir := Some ir;
  fun _object_file -> ()

let prepare_unit ~prefix =
  pending_ir := None;
  if dump_ir then pending_name := Filename.basename prefix;
  if in_process then Compiler_api.set_assembler capture_ir
  else External_loader.loader.prepare_unit ~prefix

let run_unit _ppf ~unit_name ~prefix =
  match !pending_ir with
  | Some ir ->
      pending_ir := None;
      link_and_run ~unit_name (fun () -> link_ir ir ("caml" ^ unit_name))
  | None ->
      let obj = prefix ^ Config.ext_obj in
      link_and_run ~unit_name (fun () ->
          Fun.protect
            ~finally:(fun () -> remove_quietly obj)
            (fun () -> link_object_file obj ("caml" ^ unit_name)))

(* #load of a library: in memory when Library_loader can (a .cmxa, a .cmx, a
   .cmxs with its .cmxa and .a beside it); otherwise Dynlink, of the .cmxs
   beside a .cmxa/.cmx when there is one (no toolchain needed), else the
   external loader's path (system linker + Dynlink). *)
let load_file ppf path =
  match Library_loader.load_file ppf path with
  | Some result -> result
  | None ->
      let cmxs = Filename.remove_extension path ^ ".cmxs" in
      let path = if Sys.file_exists cmxs then cmxs else path in
      External_loader.loader.load_file ppf path

let loader =
  {
    Loader.name = "jit";
    writes_files = (fun () -> not in_process);
    prepare_unit;
    run_unit;
    find_symbol;
    load_file;
  }
