(** Where the compiler's knowledge of earlier phrase units (their
    approximations, used to compile later phrases that refer to them) is kept.

    By default: the compiler's global toplevel table, filled as soon as a
    unit is compiled. Recording it once the unit has run would record the
    wrong unit when the phrase itself evaluates phrases
    ([Toploop.execute_phrase] resets the compiler's current unit), and later
    phrases would then look for a [TOPn.cmx] (warning 58). An embedding
    session installs its own keeper, so that its units' knowledge goes away
    with it. *)

type keeper = {
  before_compile : unit -> unit;  (** after [Compilenv.reset], before compiling *)
  after_compile : unit -> unit;  (** the unit is [Compilenv.current_unit_infos ()] *)
}

val global : keeper
val current : keeper ref

val before_compile : unit -> unit
val after_compile : unit -> unit
