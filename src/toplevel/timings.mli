(** Where the time of a phrase goes.

    With [OCAMLJIT_TIMINGS=FILE] in the environment, ocamljit appends to FILE
    one line per compiled phrase: tab-separated [key=value] fields, times in
    microseconds:
    {v unit=TOP3  parse_us=12  typing_us=80  translate_us=20  compile_us=400
       assemble_us=30  link_us=9  load_us=5  run_us=2  total_us=600 v}
    [compile_us] is the compiler's backend (Cmm to assembly) without the
    assembler; [assemble_us], [link_us], [load_us] are the loader's own share
    (for the external loader, [load_us] is dlopen + registration + running the
    phrase, and [run_us] is absent). Without the variable nothing is measured. *)

val enabled : bool

val now : unit -> float
(** Seconds, monotonic enough for phase timing. *)

val add : string -> float -> unit
(** [add phase seconds] adds to [phase] of the current phrase. *)

val time : string -> (unit -> 'a) -> 'a
(** [time phase f] runs [f], adding its duration to [phase] (also when it raises). *)

val note_parse : float -> unit
(** The time spent parsing the phrase about to be executed. *)

val time_excluding : string -> excluding:string -> (unit -> 'a) -> 'a
(** Like [time], minus the time added to phase [excluding] meanwhile (a
    phase nested inside, such as the assembler inside the backend). *)

val start_phrase : unit -> unit
(** Called when a phrase starts executing: resets the phases (keeping the
    parse time noted just before). *)

val end_phrase : unit_name:string -> unit
(** Appends the current phrase's line to the timings file. *)
