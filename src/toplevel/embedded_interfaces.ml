(* string -> (bytes, message) result option: None without a bundle or file;
   Error when the bundle is damaged. *)
external find : string -> (string, string) result option = "ocamljit_cmi_bundle_find"

(* The name shown in messages about an embedded file. *)
let display_name file = "(embedded)/" ^ file

let corrupted file = raise (Cmi_format.Error (Cmi_format.Corrupted_interface (display_name file)))

(* The compiler looks for a unit's files as [uncapitalized.ext], then as is. *)
let lookup unit_name ext =
  let candidates = [ String.uncapitalize_ascii unit_name ^ ext; unit_name ^ ext ] in
  List.find_map (fun file -> Option.map (fun r -> (file, r)) (find file)) candidates

(* The marshalled value at [pos] of a compiled file, and the position after it. *)
let next_value file data pos =
  if pos + Marshal.header_size > String.length data then corrupted file;
  let size = Marshal.total_size (Bytes.unsafe_of_string data) pos in
  if size > String.length data - pos then corrupted file;
  (Marshal.from_string data pos, pos + size)

let has_magic magic data =
  String.length data >= String.length magic && String.sub data 0 (String.length magic) = magic

(* A .cmi (Cmi_format.read_cmi): magic, (name, signature), crcs, flags. *)
let decode_cmi file data : Cmi_format.cmi_infos =
  if not (has_magic Config.cmi_magic_number data) then
    raise (Cmi_format.Error (Cmi_format.Not_an_interface (display_name file)));
  let (cmi_name, cmi_sign), pos = next_value file data (String.length Config.cmi_magic_number) in
  let cmi_crcs, pos = next_value file data pos in
  let cmi_flags, _ = next_value file data pos in
  { Cmi_format.cmi_name; cmi_sign; cmi_crcs; cmi_flags }

(* A .cmx (Compilenv.read_unit_info): magic, the unit's infos. None if
   unusable, which only costs the optimisations it allows. *)
let decode_cmx file data : Cmx_format.unit_infos option =
  if not (has_magic Config.cmx_magic_number data) then None
  else
    match next_value file data (String.length Config.cmx_magic_number) with
    | ui, _ -> Some ui
    | exception Cmi_format.Error _ -> None

let implementations : (string, Cmx_format.unit_infos option) Hashtbl.t = Hashtbl.create 64

let implementation unit_name =
  match Hashtbl.find_opt implementations unit_name with
  | Some ui -> ui
  | None ->
      let ui =
        match lookup unit_name ".cmx" with
        | Some (file, Ok data) -> (
            match decode_cmx file data with
            | Some ui when ui.Cmx_format.ui_name = unit_name -> Some ui
            | _ -> None)
        | Some (_, Error _) | None -> None
      in
      Hashtbl.replace implementations unit_name ui;
      ui

let on_load_path file = match Load_path.find_uncap file with _ -> true | exception Not_found -> false

(* A unit whose .cmx is neither embedded nor on the load path is compiled
   against as if its interface were -opaque, which is what happens anyway
   (calls through its closures) without warning 58 at every phrase that uses
   it: the bytecode toplevel, whose output ours matches, has no such warning. *)
let without_implementation unit_name (cmi : Cmi_format.cmi_infos) =
  if implementation unit_name <> None || on_load_path (unit_name ^ ".cmx")
     || List.mem Cmi_format.Opaque cmi.cmi_flags
  then cmi
  else { cmi with cmi_flags = Cmi_format.Opaque :: cmi.cmi_flags }

let installed = ref false

let install () =
  if not !installed then begin
    installed := true;
    let from_load_path = !Persistent_env.Persistent_signature.load in
    Persistent_env.Persistent_signature.load :=
      fun ~unit_name ->
        match lookup unit_name ".cmi" with
        | Some (file, Ok data) ->
            let cmi = without_implementation unit_name (decode_cmi file data) in
            Some { Persistent_env.Persistent_signature.filename = display_name file; cmi }
        | Some (file, Error _damaged_bundle) -> corrupted file
        | None ->
            Option.map
              (fun (ps : Persistent_env.Persistent_signature.t) ->
                { ps with cmi = without_implementation unit_name ps.cmi })
              (from_load_path ~unit_name)
  end

let provide_implementations () =
  if !installed then
    List.iter
      (fun (unit_name, _) -> Option.iter Compilenv.cache_unit_info (implementation unit_name))
      (Env.imports ())
