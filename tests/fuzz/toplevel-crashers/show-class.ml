(* Found by make fuzz-toplevel: #show on a name that is a class made the
   compiler fail an assertion (Signature_group), which ended the session (also in ocaml). *)
type t = int;;
class t = object end;;
#show t;;
