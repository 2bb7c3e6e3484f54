external doc_main : string -> string array -> int = "ocamljit_doc_main"

(* --package P (repeatable): findlib packages to load before the documents;
   taken out of the arguments here, the rest is the C++ command line's. *)
let take_packages argv =
  let rec go acc = function
    | "--package" :: p :: rest -> Doc_eval.packages := p :: !Doc_eval.packages; go acc rest
    | a :: rest when String.length a > 10 && String.sub a 0 10 = "--package=" ->
        Doc_eval.packages := String.sub a 10 (String.length a - 10) :: !Doc_eval.packages;
        go acc rest
    | a :: rest -> go (a :: acc) rest
    | [] -> Array.of_list (List.rev acc)
  in
  match Array.to_list argv with [] -> argv | prog :: args -> go [ prog ] args

let () =
  Doc_eval.register ();
  Loaders.register_all ();
  (* A bad OCAMLJIT_LOADER is reported here, before any output is captured. *)
  ignore (Loader.current ());
  exit (doc_main Sys.ocaml_version (take_packages Sys.argv))
