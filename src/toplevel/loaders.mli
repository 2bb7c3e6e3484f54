(** Registers every loader this build has with [Loader]; the default is the
    JIT where it exists, else the external toolchain. *)

val register_all : unit -> unit
(** Idempotent. *)
