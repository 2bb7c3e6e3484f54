let () =
  Embedded_interfaces.install ();
  Repl_loader.install ();
  exit (Topmain.main ())
