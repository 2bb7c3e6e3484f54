(** The REPL's front door on a terminal: line editing, persistent history
    and completion (lambda-term), feeding the toplevel's lexer through
    [Toploop.read_interactive_input]. Off a terminal (piped input,
    [-noprompt], [-no-readline], [TERM=dumb]) the toplevel reads as before. *)

val install : unit -> unit
(** Registers the [-no-readline] option and takes over
    [Toploop.read_interactive_input]. Whether the editor is used is decided
    at the first read, once the command line has been parsed. Call once,
    before [Topmain.main]. *)
