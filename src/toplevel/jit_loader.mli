(** The in-process JIT loader (amd64): a phrase's object is linked into the
    running process by the C++ linker, registered with the OCaml runtime and
    run, with no external process, shared object or [dlopen].

    Where the object comes from: the in-process assembler (the compiler's
    assembly program as IR, assembled in memory); with
    [OCAMLJIT_JIT_OBJECTS=as], the compiler writes the unit's [.o] with GNU
    [as] and the C++ ELF reader loads it (a cross-check of the assembler).

    [#load] of a [.cmx], a [.cmxa], or a [.cmxs] with its [.cmxa] and [.a]
    beside it links the library in memory ([Library_loader]); other files
    go through Dynlink (the [.cmxs] beside, when there is one) or the
    external loader's path. *)

val loader : Loader.t

type timings = {
  assemble_ns : int;  (** IR decode + assembly, or ELF read with [as] objects *)
  link_ns : int;      (** layout, stubs, relocations, page protections *)
  register_ns : int;  (** frametable, GC roots, static data, code fragment *)
}

val last_timings : unit -> timings
(** The JIT's own phases for the last unit loaded. *)

val memory_stats : unit -> int * int
(** (units loaded, bytes of JIT memory in use). *)

exception Link_error of string
(** A unit that cannot be linked (message names the symbol, unit, section
    and offset). Reported like a compiler error; the session goes on. *)
