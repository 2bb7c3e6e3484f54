external doc_main : string -> string array -> int = "ocamljit_doc_main"

let () =
  Doc_eval.register ();
  Loaders.register_all ();
  (* A bad OCAMLJIT_LOADER is reported here, before any output is captured. *)
  ignore (Loader.current ());
  exit (doc_main Sys.ocaml_version Sys.argv)
