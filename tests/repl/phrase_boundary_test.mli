(** Table tests of [Phrase_boundary]: where the REPL submits a phrase and
    how it splits a submission into phrases. Exit status 1 on a failure. *)
