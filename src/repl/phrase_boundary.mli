(** Where toplevel phrases end in text typed at the REPL: at [;;] outside
    comments, string literals, quoted strings and character literals. *)

val split : string -> string list * string
(** [split text] is [(phrases, rest)]: every complete phrase of [text] in
    order, each ending with its [;;], and the text after the last one;
    [([], text)] when [text] ends inside a comment or literal. *)

val is_complete : string -> bool
(** The text holds at least one phrase and nothing but blanks after the
    last one: the REPL submits it when Enter is pressed. *)
