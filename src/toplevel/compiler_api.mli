(** The compiler-libs entry points the native toplevel uses that change
    between OCaml versions: this is the version seam. This implementation is
    for OCaml 4.13.1; a port to another version is a new implementation of
    this interface, not a rewrite of [Topeval] or the loaders. *)

type typed_phrase = {
  structure : Typedtree.structure;
  signature : Types.signature;  (** simplified, as the toplevel prints it *)
  env : Env.t;                  (** the environment after the phrase *)
}

val type_phrase : Format.formatter -> Env.t -> Parsetree.structure -> typed_phrase
(** Type-checks a phrase against the toplevel environment (delayed checks
    included); honours [-dtypedtree]. *)

val translate_phrase : unit_name:string -> Typedtree.structure -> int * Lambda.lambda
(** The phrase as the code of a unit whose globals are stored in the unit's
    block: the block's size and its initialisation code. *)

val bind_result : Typedtree.structure -> (Typedtree.structure * Ident.t * Types.type_expr) option
(** For a phrase that is an expression ([e;;], [let _ = e;;], [let _ : t = e;;]),
    the same phrase with [e]'s value bound to a fresh identifier, to translate
    instead so that the value can be printed, with the identifier and [e]'s type. *)

val reset_unit : string -> unit
(** Starts the compilation of the unit of that name ([Compilenv.reset]),
    keeping the [.cmx] infos that earlier units read (the load path unchanged)
    instead of reading them again for each phrase. *)

val compile_unit :
  Format.formatter -> unit_name:string -> prefix:string -> need_symbol:(string -> bool) ->
  size:int -> Lambda.lambda -> unit
(** Compiles the (simplified) Lambda code of unit [unit_name] to native code.
    Files, if the assembler hook makes any, are named [prefix ^ ext].
    [need_symbol] tells whether a generic helper ([caml_curryN]...) must be
    emitted with the unit. With the in-process assembler and no dump,
    profile or stop flag, the backend passes run without the compiler's
    [Profile] wrappers (no CPU-time system call per pass); otherwise through
    [Asmgen.compile_implementation]. *)

val set_assembler : (X86_ast.asm_program -> string -> unit) -> unit
(** Replaces the system assembler: the compiler passes each unit's assembly
    program to the function, and calls the result with the object file name
    where [as] would have written it. *)

val toplevel_global : Ident.t -> Ident.t * int
(** Where a toplevel identifier of an earlier phrase is stored: the unit's
    global and the field number. Raises [Not_found] if unknown. *)

val configure_gc : unit -> unit
(** GC settings for a toplevel process (a larger minor heap), unless
    [OCAMLRUNPARAM]/[CAMLRUNPARAM] sets the minor heap size; the minor heap
    asks for transparent huge pages. *)
