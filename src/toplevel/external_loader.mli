(** The portable loader, as stock ocamlnat does it: the system assembler
    writes an object file, the system linker makes a shared object of it,
    [dlopen] loads it and the runtime's natdynlink primitives register it.
    It needs a C toolchain at run time and costs two processes per phrase;
    it stays as the fallback and as a benchmark baseline. *)

val loader : Loader.t
