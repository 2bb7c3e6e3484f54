(** Libraries loaded in memory: [#load] (and so topfind's [#require]) of a
    [.cmxa], a [.cmx], or a [.cmxs] that has its [.cmxa] and [.a] beside it.

    The library's objects are linked into the process by the JIT linker
    with their C stub archives ([lib_ccobjs]: [-lzarith] is [libzarith.a]
    on the library path; only system shared libraries such as [libgmp.so]
    are opened by the dynamic loader), registered with the runtime and
    initialised in order, after the checks Dynlink and the linker make:
    imported interfaces and implementations consistent with the units
    already in the process (the executable's, and those loaded earlier), no
    unit loaded twice. A library whose units are all in the process already
    is not loaded again. A failed load leaves nothing of the library
    reachable: its symbols leave lookups. *)

val load_file : Format.formatter -> string -> (unit, Loader.load_error) result option
(** [None] when the file is not one of those (a [.cmxs] without its
    [.cmxa]/[.a] beside it): the caller falls back to Dynlink. *)

type file_bytes = (char, Bigarray.int8_unsigned_elt, Bigarray.c_layout) Bigarray.Array1.t
(** A file's contents in memory (the executable's read-only data, for the
    REPL's bundle): read in place, never copied. *)

val load_from_memory : files:(string * file_bytes) list -> string -> (unit, Loader.load_error) result
(** [load_from_memory ~files name] loads the [.cmxa] [name] of [files] as
    {!load_file} loads one from disk, every file it needs coming from
    [files] by name: its [.a] ([name] with [.a] for [.cmxa]) and, for each
    [-lX] among its C arguments, [libX.a] when [files] has it (other
    libraries, such as system shared ones, are found as usual). Nothing is
    read from or written to disk for them. [files] must stay reachable
    until it returns. *)

(** A unit as the checks see it (a [.cmxs]'s header gives these). *)
type unit_header = {
  name : string;
  crc : Digest.t;  (** of the implementation *)
  imports_cmi : (string * Digest.t option) list;
  imports_cmx : (string * Digest.t option) list;
}

val check_shared_object : string -> unit_header list -> (unit, string) result
(** The same checks for the units of a shared object ([.cmxs]) that the
    system's dynamic loader opened (the external loader): against the
    process and the libraries loaded so far, by either path. *)

val load_error_of_exn : exn -> Loader.load_error option
(** The one-line message for an exception that reading or linking a
    library raises on a missing, truncated or garbled file (or a failed
    link); [None] for any other exception. *)

val units_all_present : string -> bool
(** Whether every unit of the [.cmxa] or [.cmx] [path] is in the process
    already (the executable's, or loaded earlier): such a library is not
    loaded again, by either loader. False when [path] cannot be read. *)

val record_shared_object : string -> unit_header list -> unit
(** After its units ran: they are in the process from now on. *)

type timings = {
  check_ns : int;     (** reading the [.cmxa]/[.cmx], the checks, generic functions *)
  read_ns : int;      (** reading the archives (ELF members, C stub archives) *)
  link_ns : int;      (** symbol resolution, layout, relocations *)
  register_ns : int;  (** frametables, roots, data, code fragments *)
  init_ns : int;      (** running the units' initialisation *)
}

val last_timings : unit -> timings
(** The phases of the last library loaded in memory. With
    [OCAMLJIT_TIMINGS=FILE], each library loaded appends a line to FILE:
    [library=PATH check_us= read_us= link_us= register_us= init_us=]. *)
