(** The toplevel side of [ocamljit-doc]: evaluates phrase text in named
    toplevel environments, printing exactly what the toplevel prints
    (answers, warnings and errors on [Format.std_formatter], program output
    on the standard channels). The caller captures file descriptors 1 and 2.

    Everything else (documents, labels, layout, diffs, the command line) is
    C++ (src/doc/*.cpp); [register] makes these functions reachable from it
    through [Callback]. *)

val packages : string list ref
(** Findlib packages [init] loads ([--package P], repeatable; most recent
    first), as [#require] does. [#require] needs no [#use "topfind"]. *)

val init : include_dirs:string list -> unit
(** Registers the loaders, adds [include_dirs] to the load path and sets the
    toplevel up as [Toploop.loop] does. Call once, before anything else. *)

val load : string -> bool
(** Loads a [.cmxs] (or [.cmx]/[.cmxa]) file and runs its initialisation;
    errors are printed on [Format.std_formatter]. *)

val eval : env:string -> print:bool -> string -> bool
(** [eval ~env ~print text] evaluates the phrases of [text] in environment
    [env] (created empty on first use), stopping at the first error. With
    [print], [text] is toplevel input and answers are printed as the toplevel
    prints them; without, [text] is read as [#use] reads a file, silently. Returns [false]
    if a phrase failed (error or uncaught exception). Flushes the standard
    channels before returning. *)

val eval_phrases : env:string -> answers:bool -> string -> bool
(** [eval_phrases ~env ~answers text] evaluates toplevel input [text] in
    environment [env] as mdx does: with [answers], each answer is framed by
    the bytes ['\002'] and ['\003'] (program output before it is not);
    without, answers are not printed (mdx's [--silent-eval]). Returns
    [false] if a phrase failed. *)

val reset_envs : unit -> unit
(** Forgets every named environment (between documents). *)

val register : unit -> unit
(** Registers [init], [load], [eval], [eval_phrases] and [reset_envs] as
    named values ["ocamljit_doc_init"], ["ocamljit_doc_load"],
    ["ocamljit_doc_eval"], ["ocamljit_doc_eval_phrases"],
    ["ocamljit_doc_reset_envs"], and hooks the answer printer for
    [eval_phrases]. *)
