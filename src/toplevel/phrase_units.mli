(** Where the compiler's knowledge of earlier phrase units (their
    approximations, used to compile later phrases that refer to them) is kept:
    the compiler's global toplevel table (Compilenv's), filled as soon as a
    unit is compiled, one entry per unit, looked up by name.

    Recording it once the unit has run would record the wrong unit when the
    phrase itself evaluates phrases ([Toploop.execute_phrase] resets the
    compiler's current unit), and later phrases would then look for a
    [TOPn.cmx] (warning 58). Unit names are unique in the process, so
    embedding sessions share the table: a session installs a keeper that
    also notes the names of its units, and [forget]s them when it is freed. *)

type keeper = {
  before_compile : unit -> unit;  (** after [Compilenv.reset], before compiling *)
  after_compile : unit -> unit;  (** the unit is [Compilenv.current_unit_infos ()] *)
}

val global : keeper
(** Records the unit in the compiler's table. *)

val current : keeper ref

val before_compile : unit -> unit
val after_compile : unit -> unit

val forget : string list -> unit
(** Removes these units from the compiler's table. The table is private to
    Compilenv: it is found once, among the fields of Compilenv's module
    block, as the table that holds the first of these units; if it cannot
    be found, the units stay (a few words each). *)
