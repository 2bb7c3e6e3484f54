let () =
  Embedded_interfaces.install ();
  exit (Topmain.main ())
