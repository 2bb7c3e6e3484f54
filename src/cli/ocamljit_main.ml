let () =
  Embedded_interfaces.install ();
  Line_editor.install ();
  exit (Topmain.main ())
