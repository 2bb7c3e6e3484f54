let directory () =
  match Sys.getenv_opt "OCAMLJIT_DUMP_IR" with
  | None | Some "" -> None
  | Some dir -> Some dir

let maybe_dump ~name ir =
  match directory () with
  | None -> ()
  | Some dir ->
      let path = Filename.concat dir (name ^ ".ir") in
      (try
         let oc = open_out_bin path in
         Fun.protect ~finally:(fun () -> close_out oc)
           (fun () -> output_string oc ir)
       with Sys_error msg ->
         Printf.eprintf "ocamljit: cannot dump IR: %s\n%!" msg)
