let () = exit (Topmain.main ())
