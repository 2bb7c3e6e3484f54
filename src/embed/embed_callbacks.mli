(** The OCaml side of the C library (ocamljit.h): sessions are handed to C
    as numbers; each operation is a named callback (Callback.register). *)
