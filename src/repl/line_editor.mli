(** The REPL's line editor on a terminal: line editing, persistent history
    and completion (lambda-term), feeding the toplevel's lexer through
    [Toploop.read_interactive_input]. Whether it is used (and, in
    [ocamljit], loaded at all) is {!Repl_loader}'s decision: its
    initialisation only registers {!take_over} there. *)

val take_over : unit -> unit
(** Opens the terminal session (history file, key bindings) and replaces
    [Toploop.read_interactive_input] with the editor; when the terminal
    cannot be used, warns once and leaves the plain reader. *)
