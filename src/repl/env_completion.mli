(** Tab completion for the REPL, from the toplevel's current typing
    environment, its directives and the file system. *)

val complete : Env.t -> string -> int * string list
(** [complete env before] for the text [before] the cursor is [(start,
    words)]: the word being completed starts at byte [start] of [before] and
    each of [words] (sorted, without duplicates) may replace it. Handles
    names in scope (values, modules, constructors, record fields),
    members of a module path ([List.ma] gives [map] and [mapi] from
    [start] after the dot), fields after [expr.], directives after a
    phrase-initial [#], and file names inside [#use "..."], [#mod_use
    "..."] and [#load "..."] (directories inside [#directory "..."] and
    [#cd "..."]). No words when nothing applies. *)
