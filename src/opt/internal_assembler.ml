type backend = Internal | Gas

exception Error of string

external assemble : string -> string -> string -> unit = "ocamljit_asm_assemble"
external ir_to_gas : string -> string = "ocamljit_ir_to_gas"

let backend () =
  match Sys.getenv_opt "OCAMLJIT_OPT_BACKEND" with
  | Some "gas" -> Gas
  | Some "internal" -> Internal
  | Some other ->
      raise (Error (Printf.sprintf
                      "OCAMLJIT_OPT_BACKEND=%s: expected gas or internal" other))
  | None -> Internal

let with_gas ~unit_name ir outfile =
  let text =
    try ir_to_gas ir with Failure msg -> raise (Error ("unit " ^ unit_name ^ ": " ^ msg))
  in
  let asm_file = Filename.temp_file "ocamljit" ".s" in
  Fun.protect ~finally:(fun () -> Misc.remove_file asm_file) (fun () ->
      let oc = open_out_bin asm_file in
      Fun.protect ~finally:(fun () -> close_out oc) (fun () -> output_string oc text);
      let cmd =
        String.concat " "
          ([Config.asm] @ Misc.debug_prefix_map_flags ()
           @ ["-o"; Filename.quote outfile; Filename.quote asm_file])
      in
      if Ccomp.command cmd <> 0 then
        raise (Error ("unit " ^ unit_name ^ ": the assembler failed on the printed IR")))

let write_object backend ~unit_name ir outfile =
  Ir_dump.maybe_dump ~name:(Filename.remove_extension (Filename.basename outfile)) ir;
  match backend with
  | Internal ->
      (try assemble unit_name ir outfile with Failure msg -> raise (Error msg))
  | Gas -> with_gas ~unit_name ir outfile

let install () =
  let backend = backend () in
  Location.register_error_of_exn (function
      | Error msg ->
          let loc = Location.in_file !Location.input_name in
          Some (Location.errorf ~loc "in-process assembler: %s" msg)
      | _ -> None);
  Emitaux.binary_backend_available := true;
  (* The hook gets the unit's program; the compiler then calls the function it
     returns with the object file's name. *)
  X86_proc.register_internal_assembler (fun program ->
      let unit_name = Compilenv.current_unit_name () in
      let ir = X86_ir.serialise program in
      write_object backend ~unit_name ir)
