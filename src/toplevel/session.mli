(** Independent, disposable toplevel sessions: the engine behind the
    embedding APIs (C, C++, [Ocamljit_eval]). A session is a toplevel
    environment of its own, evaluated by the same Toploop/Topeval as the
    [ocamljit] command; all the toplevel prints (values, warnings, errors,
    exceptions, directives' output, which the toplevel prints to
    [Format.std_formatter]) goes to a buffer of its own. Freeing a session
    unloads the units its phrases compiled and drops the compiler's
    knowledge of them.

    Global to the process, shared by all sessions: the load path, the
    interfaces (.cmi) already read, directives' effects on flags, loaded
    libraries. Program output of evaluated code (print_string,
    Format.printf...) goes to stdout as a compiled program's would. *)

type t

type status =
  | Succeeded
  | Failed  (** syntax, typing or linking error, bad argument: nothing ran *)
  | Raised  (** the code raised; the exception is in the output *)

(** Types a typed evaluation can return, checked against the inferred type
    of the expression. *)
type 'a witness = Int : int witness | Float : float witness | String : string witness
                | Bool : bool witness | Unit : unit witness

val init : unit -> (unit, string) result
(** Once per process (later calls do nothing): loaders (the selected one,
    wrapped so that the code of phrases prints where the program prints),
    load path, initial environment, [#show_dirs] printing through
    [Format.std_formatter], [#install_printer] noting the evaluating
    session's printers (see [free]). *)

val create : unit -> t
(** A fresh toplevel environment. @raise Failure if [init] failed or was not called. *)

val free : t -> (unit, string) result
(** Unloads what the session compiled; the session is unusable afterwards.
    Printers it installed ([#install_printer] of its own functions) are
    removed. A session cannot be freed while one of its phrases runs (the
    refusal is also printed in that evaluation's output). *)

val eval : t -> string -> status
(** Toplevel phrases separated by [;;] (the last [;;] may be omitted), as in
    a script: all are parsed first (a syntax error runs nothing), then run in
    order until one fails. [#quit] fails with a message (the program is the
    host's to end). *)

val eval_as : t -> 'a witness -> string -> ('a, status) result
(** One expression. [Failed] if it does not parse, does not type or its type
    is not the witness's; its value is copied out of the session. *)

val output : t -> string
(** What the last evaluation printed. *)

val id : t -> int

val install_signature_loader : (string -> Persistent_env.Persistent_signature.t option) -> unit
(** Where interfaces are looked up before the load path, for a host that
    brings interfaces of its own. Call before [init]. ([init] installs the
    interfaces embedded in the program, src/cmi_bundle: libocamljit carries
    the stdlib's, so hosts need no /usr/lib/ocaml.) *)
