(** The [(* TEST ... *)] header of an OCaml testsuite file, as far as the
    conformance harness needs it: which actions it runs, its [flags], and
    its [readonly_files]. The header language is ocamltest's; only its
    assignments, [include]s and action names are read. *)

type t = {
  actions : string list;  (** action and predicate names, in order *)
  flags : string list;  (** [flags = ...] and [flags += ...], split on blanks *)
  variables : (string * string) list;  (** every [name = "value"], in order *)
  includes : string list;  (** [include lib] *)
}

val of_file : string -> t option
(** [None] when the file does not start with a TEST comment. *)

val has_action : t -> string -> bool

val variable : t -> string -> string option
(** The last value assigned to a variable with [=]. *)
