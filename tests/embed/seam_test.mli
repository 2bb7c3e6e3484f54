(* Tests of the seams for hosts without the OCaml installation (an executable). *)
