(** ppx_deriving's rewriters (and those it hosts, e.g. ppx_sexp_conv) run
    in the toplevel's process, on each phrase's parse tree, instead of as a
    [-ppx] process per phrase.

    topfind activates ppx_deriving with [#ppx ".../ppx_deriving"] and passes
    its plugins as a phrase [[@@@findlib.ppxopt ("ppx_deriving",
    "package:P")]]. We take over [#ppx] for that driver; for each plugin
    package we load its rewriter libraries in memory (findlib's archives for
    the ["ppx_driver"] predicate: ppxlib, ppx_deriving.api, the plugin) and
    then apply ppxlib's driver ([Ppxlib.Driver.map_structure], the function
    the ppx_deriving executable applies) to every phrase that has an
    attribute or an extension node (derivers act on nothing else); the
    libraries are loaded at the first such phrase. Any other [#ppx]
    command runs as a process per phrase, as in [ocaml]. If the in-process
    route cannot be set up, the executable route is used. *)

type session = {
  run : string -> (unit, string) result;
      (** Executes toplevel phrases silently; the error text if one fails. *)
  value : string -> Obj.t option;
      (** The value of a toplevel identifier defined by such phrases. *)
  forget : (unit -> unit) -> unit;
      (** Runs the function, then restores the typing environment and the
          load path. *)
}

val install : unit -> unit
(** Takes over the [#ppx] directive (idempotent; call after Topdirs has
    defined its directives). *)

val rewrite : session -> Parsetree.structure -> Parsetree.structure
(** The phrase as the active in-process rewriters make it (unchanged when
    none is active). *)
