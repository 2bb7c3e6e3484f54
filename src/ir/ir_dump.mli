(** IR dumps for replay by C++ tests: with [OCAMLJIT_DUMP_IR=DIR] in the
    environment, every unit's IR is written to [DIR/NAME.ir]. *)

(** The directory named by [OCAMLJIT_DUMP_IR], if set and non-empty. *)
val directory : unit -> string option

(** [maybe_dump ~name ir] writes [ir] to [DIR/name.ir] when dumping is on.
    Failures to write are reported on stderr and otherwise ignored: a dump
    must not change what the compiler does. *)
val maybe_dump : name:string -> string -> unit
