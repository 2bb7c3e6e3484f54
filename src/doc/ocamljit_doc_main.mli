(** Entry point of [ocamljit-doc]: hands the command line to the C++ driver,
    which calls back into [Doc_eval] for every phrase. *)
