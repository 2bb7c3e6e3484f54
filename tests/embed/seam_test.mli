(* Test of Session.install_signature_loader (an executable). *)
