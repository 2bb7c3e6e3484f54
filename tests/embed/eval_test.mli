(* Tests of Ocamljit_eval, the OCaml API (an executable: no interface). *)
