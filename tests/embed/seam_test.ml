(* Session.install_signature_loader: a host that brings its own interfaces
   evaluates with no library directory at all (OCAMLLIB points nowhere, no
   bundle linked in this program). Argument: a directory the loader reads
   .cmi files from (as a host would from memory). *)

let fail msg = prerr_endline ("seam_test: " ^ msg); exit 1

let () =
  let real_lib = Sys.argv.(1) in
  if Sys.file_exists (Filename.concat Config.standard_library "stdlib.cmi") then
    fail ("the standard library is visible at " ^ Config.standard_library);
  Session.install_signature_loader (fun unit_name ->
      let file = Filename.concat real_lib (String.uncapitalize_ascii unit_name ^ ".cmi") in
      if Sys.file_exists file then
        Some { Persistent_env.Persistent_signature.filename = file; cmi = Cmi_format.read_cmi file }
      else None);
  (match Session.init () with Ok () -> () | Error e -> fail ("init through the loader: " ^ e));
  let s = Session.create () in
  if Session.eval s "let n = List.length [1; 2];;" <> Session.Succeeded then fail (Session.output s);
  if Session.output s <> "val n : int = 2\n" then fail ("through the loader: " ^ Session.output s);
  ignore (Session.free s);
  print_endline "seam_test: ok (no library directory)"
