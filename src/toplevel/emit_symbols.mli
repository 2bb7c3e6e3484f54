(** The amd64 emitter ([Emit]) records every symbol a unit defines and uses
    in two sets that only Win64 output reads and clears; on Linux they grow
    with every phrase (each phrase's symbols are new names). [forget]
    empties them. [Emit] does not export them: they are found, once, as the
    fields of its module block that are refs holding a well-formed non-empty
    set of strings (no other field of [Emit] has that shape). *)

val forget : unit -> unit
(** Call between phrases, never while one is being compiled. *)
