(** [#require] without a prior [#use "topfind"], as mdx offers it in
    documents: the first [#require] loads findlib's toplevel support
    silently (the [topfind] script from the standard library directory,
    without its banner or its "loaded" lines), then topfind's own
    [#require] takes over. Packages are then loaded as in the toplevel
    (in memory, see [Library_loader]). *)

val install : unit -> unit
(** Defines [#require] (when no [#require] exists yet) as above. *)

val require : Format.formatter -> string -> bool
(** [#require "pkg1 pkg2..."] now; [false] (after an error message on the
    formatter) when topfind cannot be loaded or loading raised. Topfind
    itself prints "No such package: ..." for an unknown package. *)
