(** The load path made when the toplevel initialises (Topeval.init, run by
    Toploop's initialiser before the command line is parsed), so that the
    start of the session can reuse it instead of scanning the same
    directories (the current one, the whole standard library) again. *)

val record : unit -> unit
(** Note the inputs of [Compmisc.init_path] and the load path it just made. *)

val init_again : unit -> unit
(** [Compmisc.init_path ()], unless its inputs and the load path are still
    those [record] noted: then only the environment's cache is reset. *)
