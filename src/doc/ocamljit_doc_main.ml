external doc_main : string -> string array -> int = "ocamljit_doc_main"

let () =
  Doc_eval.register ();
  exit (doc_main Sys.ocaml_version Sys.argv)
