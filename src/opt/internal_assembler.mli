(** Plugs the in-process assembler into the compiler's amd64 backend
    ([X86_proc.register_internal_assembler]), so that no [.s] file is written
    and [as] is never run. *)

(** Which path an [X86_ast] program takes to an object file:
    - [Internal]: IR -> C++ assembler -> ELF writer, in process;
    - [Gas]: IR -> C++ GAS printer -> GNU [as] (a check of the IR path, and
      the fallback of a build without the C++ assembler). *)
type backend = Internal | Gas

(** [Internal] when this build has the C++ assembler, else [Gas];
    [OCAMLJIT_OPT_BACKEND=gas|internal] overrides. *)
val backend : unit -> backend

(** Raised (and reported by the driver as [Error: ...]) when a unit cannot be
    assembled. *)
exception Error of string

(** Installs the hook; also dumps each unit's IR when [OCAMLJIT_DUMP_IR] is set
    (see {!Ir_dump}). *)
val install : unit -> unit
