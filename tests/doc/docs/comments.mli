(* A plain comment with {[ # not_evaluated;; ]} inside: only doc comments count. *)

(** Strings.

    {[
      # String.length "abc";;
      - : int = 4
    ]}

    A multi-line phrase and an error:
    {[
      # let s =
          String.concat ", "
            ["a"; "b"];;
      # String.length 3;;
    ]} *)
val f : int -> int

(** {@ocaml[
      # let l = [3; 1; 2];;
      # List.sort compare l;;
    ]}

    {@ocaml skip[
      # not evaluated;;
    ]}

    {@ocaml env=other[
      # l;;
    ]}

    A verbatim block is left alone: {v {[ # 1;; ]} v}
*)
val g : unit

let s = "(** {[ # in a string;; ]} *)"
