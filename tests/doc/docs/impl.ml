(* An implementation file: its doc comments are checked too. *)

(** [twice f x] applies [f] two times.
    {[
      # let twice f x = f (f x);;
      # twice (fun s -> s ^ "!") "hi";;
    ]} *)
let twice f x = f (f x)

let quote = '"' (* a character literal that is not the start of a string *)

(** {@ocaml[
      # twice (( * ) 3) 7;;
      - : int = 0
    ]} *)
let nine = twice (( * ) 3) 1
