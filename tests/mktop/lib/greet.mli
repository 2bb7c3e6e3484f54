(** A user module linked into a toplevel by ocamljit-mktop. *)
val hello : string -> string
val count : int ref
