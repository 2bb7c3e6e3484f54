let () =
  let status =
    try Internal_assembler.install (); Optmaindriver.main Sys.argv Format.err_formatter
    with Internal_assembler.Error msg -> prerr_endline ("ocamljit-opt: " ^ msg); 2
  in
  exit status
