(** Doc.

    {[
      # 1 + 1;;
*)
val x : int
