(** mdx's automatic run of promises at top level: once [lwt] is loaded (its
    [Lwt.return] is visible), a toplevel expression whose type is [_ Lwt.t]
    is evaluated as [Lwt_main.run (expr)], so [# Lwt.return 4] answers
    [- : int = 4]; bindings ([let x = Lwt.return 3]) are left alone. The same
    for Async ([_ Async.Deferred.t] through
    [Async.Thread_safe.block_on_async_exn (fun () -> expr)]). The first
    phrase after [lwt] became visible loads [lwt.unix] (for [Lwt_main])
    silently, as mdx does. *)

val rewrite : require:(string -> bool) -> Parsetree.toplevel_phrase -> Parsetree.toplevel_phrase
(** [rewrite ~require phrase] is [phrase] with its top-level expressions of
    a promise type wrapped in their runner, typed in the current toplevel
    environment ([Topcommon.toplevel_env], left unchanged). [require p]
    loads findlib package [p] (its output discarded by the caller's choice).
    A phrase that does not type is returned as is (the toplevel then reports
    its error). *)
