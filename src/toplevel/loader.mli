(** How a compiled phrase gets into the running process.

    [Topeval] compiles each phrase to a native compilation unit; a loader
    makes that unit's code and data live in the process, runs its entry
    point and answers symbol questions. Two loaders exist: [external] (the
    portable path of stock ocamlnat: [as], a shared object, [dlopen]) and,
    on amd64, the in-process JIT. *)

type outcome = Result of Obj.t | Exception of exn

type t = {
  name : string;
  writes_files : unit -> bool;
      (** Whether the compiler must write the unit's files (then [prefix]
          below names a fresh temporary file; otherwise no file is made). *)
  prepare_unit : prefix:string -> unit;
      (** Called before the compiler emits the unit whose files (if any) are
          named [prefix ^ ext]; installs the loader's assembler hook. *)
  run_unit : Format.formatter -> unit_name:string -> prefix:string -> outcome;
      (** Load the unit the compiler just produced under file prefix
          [prefix] (its symbols are [caml<unit_name>...]) and run its entry. *)
  find_symbol : string -> Obj.t option;
      (** The address of a data symbol (e.g. [camlStdlib]) as a value, if
          the process defines it. *)
  load_file : Format.formatter -> string -> (unit, load_error) result;
      (** Load the [.cmxs] (or [.cmx]/[.cmxa]) file at this path and run
          its initialisation. *)
}

and load_error =
  | Load_failed of string  (** the file could not be loaded: why *)
  | Raised of exn          (** its initialisation raised *)

val undefined_symbol_error : string -> exn
(** The error a loader raises when a unit refers to a symbol the process
    lacks, as the bytecode toplevel reports it: an undefined global for a
    [caml<Module>...] symbol, an unavailable primitive otherwise. *)

val register : t -> unit
(** Make a loader selectable by its name. *)

val select : string -> unit
(** Choose the loader by name (the [-loader] flag). Overrides
    [OCAMLJIT_LOADER]. Raises [Arg.Bad] for an unknown name. *)

val names : unit -> string list

val current : unit -> t
(** The selected loader: [-loader], else [OCAMLJIT_LOADER], else the
    default (the first registered loader with the highest priority). *)

val set_default : string -> unit
