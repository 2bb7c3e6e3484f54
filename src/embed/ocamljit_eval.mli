(** OCaml as an extension language, for OCaml programs: evaluate toplevel
    phrases in independent sessions, natively, in the running process.

    {[
      let s = Ocamljit_eval.create () in
      match Ocamljit_eval.eval_as s Ocamljit_eval.Int "List.length [1; 2; 3]" with
      | Ok n -> Printf.printf "%d\n" n
      | Error e -> prerr_string e.output
    ]}

    One thread at a time (OCaml 4's runtime lock). *)

type t
(** A session: a toplevel environment of its own. *)

type failure =
  | Failed  (** syntax, typing or linking error, wrong type: nothing ran *)
  | Raised  (** the code raised; the exception is in [output] *)

type error = { failure : failure; output : string }

type 'a ty = 'a Session.witness =
  | Int : int ty
  | Float : float ty
  | String : string ty
  | Bool : bool ty
  | Unit : unit ty

val create : unit -> t
(** @raise Failure if the toplevel cannot start (no standard library found). *)

val free : t -> unit
(** Unloads what the session compiled. Values obtained from it stay valid
    (they are copies); functions defined by its phrases must not be called
    afterwards; printers it installed ([#install_printer]) are removed.
    Freeing twice does nothing. @raise Failure while it evaluates. *)

val eval : t -> string -> (string, error) result
(** Toplevel phrases, [;;]-separated; [Ok] carries what [ocaml] prints, all
    of it (answers, warnings, directives' output such as [#show]'s), and
    nothing of it reaches stdout. The program's own output ([print_string],
    [Format.printf] in the phrases' code) goes to stdout, as a compiled
    program's would: [Format.std_formatter] is the host's again while that
    code runs. *)

val eval_as : t -> 'a ty -> string -> ('a, error) result
(** One expression, whose inferred type must be the witness's. *)
