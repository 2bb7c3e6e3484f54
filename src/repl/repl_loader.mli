(** The REPL's front door: whether a session reads through the line editor
    (src/repl's [Line_editor], on lambda-term), and getting that editor into
    the process only then.

    [ocamljit] does not link the editor and its libraries (lambda-term, zed,
    camomile, lwt, lwt.unix, react, threads): they cost start-up time to
    every script and pipe. They are packed into the executable at build time
    and linked in memory by {!Library_loader} at the first read of a session
    on a terminal. A toplevel made by [ocamljit-mktop] links the editor in;
    it registers itself with {!register_editor} and nothing is loaded. *)

val install : unit -> unit
(** Registers the [-no-readline] option and takes over
    [Toploop.read_interactive_input]: at the first read, once the command
    line is parsed, the editor serves the session if standard input and
    output are terminals, neither [-noprompt] nor [-no-readline] was given
    and [TERM] is set and not [dumb]; otherwise (or if the editor cannot be
    loaded: one warning) the toplevel reads as before. Call once, before
    [Topmain.main]. *)

val register_editor : (unit -> unit) -> unit
(** Called by the line editor's initialisation: the function makes the
    editor serve the session (it replaces [Toploop.read_interactive_input],
    or warns and leaves it when the terminal cannot be used). *)
