let () =
  Line_editor.install ();
  exit (Topmain.main ())
