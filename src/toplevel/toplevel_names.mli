(** The compiler's table of where every toplevel identifier lives (the
    native toplevel's [Translmod.transl_store_subst]: identifier -> field of
    its TOPn unit). Translmod does not export it and it only grows; a session
    owns the part its phrases added, so this module swaps the table in and
    out. The table is found once by probing the fields of Translmod's module
    block for the ref that [Translmod.nat_toplevel_name] reads. *)

type table

val locate : probe:Ident.t -> bool
(** [probe] must be a toplevel identifier already in the table. False if
    the table cannot be found (then [get] and [set] do nothing useful). *)

val get : unit -> table option
val set : table -> unit
