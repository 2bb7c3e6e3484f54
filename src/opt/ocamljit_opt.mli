(** [ocamljit-opt]: the compiler's own [ocamlopt] driver with the in-process
    assembler installed. Same command line as [ocamlopt]. *)
