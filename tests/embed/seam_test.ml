(* Run with OCAMLLIB pointing to a directory that holds the standard
   library's .cmi files but no .cmx (as a host with embedded interfaces
   would): phrases print warning 58 until the unit infos are installed
   through Session.install_unit_infos. Argument: the real library directory,
   where the .cmx files are read from (a bundle would embed them). *)

let contains text part =
  let n = String.length part and m = String.length text in
  let rec at i = i + n <= m && (String.sub text i n = part || at (i + 1)) in
  at 0

let fail msg = prerr_endline ("seam_test: " ^ msg); exit 1

let cmx_infos real_lib =
  Sys.readdir real_lib |> Array.to_list
  |> List.filter (fun f -> Filename.check_suffix f ".cmx")
  |> List.map (fun f -> fst (Compilenv.read_unit_info (Filename.concat real_lib f)))

(* No library directory at all (OCAMLLIB points nowhere): interfaces and
   unit infos come only through the seams, read here from [real_lib] as a
   bundle would provide them from memory. *)
let without_library real_lib =
  Session.install_signature_loader (fun unit_name ->
      let file = Filename.concat real_lib (String.uncapitalize_ascii unit_name ^ ".cmi") in
      if Sys.file_exists file then
        Some { Persistent_env.Persistent_signature.filename = file; cmi = Cmi_format.read_cmi file }
      else None);
  Session.install_unit_infos (cmx_infos real_lib);
  (match Session.init () with Ok () -> () | Error e -> fail ("init through the seams: " ^ e));
  let s = Session.create () in
  if Session.eval s "let n = List.length [1; 2];;" <> Session.Succeeded then fail (Session.output s);
  if Session.output s <> "val n : int = 2\n" then fail ("through the seams: " ^ Session.output s);
  ignore (Session.free s);
  print_endline "seam_test: ok (no library directory)";
  exit 0

let () =
  let real_lib = Sys.argv.(1) in
  if Array.length Sys.argv > 2 && Sys.argv.(2) = "no-library" then without_library real_lib;
  (match Session.init () with Ok () -> () | Error e -> fail e);
  (* The toplevel silences warning 58; it is what shows a missing unit info. *)
  ignore (Warnings.parse_options false "+58");
  let phrase = "let n = List.length [1; 2] + String.length \"ab\";;" in
  let s = Session.create () in
  if Session.eval s phrase <> Session.Succeeded then fail (Session.output s);
  if not (contains (Session.output s) "Warning 58") then
    fail ("expected warning 58 without unit infos, got: " ^ Session.output s);
  Session.install_unit_infos (cmx_infos real_lib);
  let t = Session.create () in
  if Session.eval t phrase <> Session.Succeeded then fail (Session.output t);
  if Session.output t <> "val n : int = 4\n" then fail ("with unit infos: " ^ Session.output t);
  ignore (Session.free s);
  ignore (Session.free t);
  print_endline "seam_test: ok"
