(** A.
    {@ocaml version>>4.0[
      # 1;;
    ]} *)
val x : int
