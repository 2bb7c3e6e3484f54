(** A small library documented with checked examples. *)

val chop_prefix : string -> prefix:string -> string option
(** [chop_prefix s ~prefix] returns [s] without the leading [prefix].
    {[
      # Mylib.chop_prefix "abc" ~prefix:"a";;
      - : string option = Some "c"
      # Mylib.chop_prefix "abc" ~prefix:"x";;
    ]} *)

type 'a tree = Leaf | Node of 'a tree * 'a * 'a tree

val insert : 'a -> 'a tree -> 'a tree
(** {[
      # open Mylib;;
      # let t = List.fold_left (fun t x -> insert x t) Leaf [3; 1; 2];;
      # to_list t;;
    ]} *)

val to_list : 'a tree -> 'a list

exception Empty_tree

val min_elt : 'a tree -> 'a
(** Raises [Empty_tree] on an empty tree:
    {@ocaml[
      # Mylib.min_elt Mylib.Leaf;;
    ]} *)

val greet : string -> unit
(** Prints a greeting:
    {[
      # Mylib.greet "world";;
    ]} *)
