(** Compiled interfaces embedded in the executable (src/cmi_bundle): the
    stdlib's for [ocamljit], those of the linked libraries too for a toplevel
    made by [ocamljit-mktop]. With {!install}, the compiler finds a [.cmi]
    there first, then on the load path as usual, so that the toplevel types
    phrases without the OCaml installation. Embedded [.cmx] files give the
    native compiler what it knows about those units (inlining, direct calls). *)

val install : unit -> unit
(** Hooks [Persistent_env.Persistent_signature.load]. Call it before the
    toplevel builds its initial environment; calling it again does nothing. *)

val provide_implementations : unit -> unit
(** Hands the embedded [.cmx] of every unit the phrase's environment imports
    to the native compiler ([Compilenv], which forgets them at each unit's
    reset). Call it before compiling a phrase; does nothing before {!install}. *)
