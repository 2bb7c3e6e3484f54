#use "topfind";;
#require "ppx_deriving.show";;
type t = A | B of int [@@deriving show];;
show (B 3);;
type r = { name : string; tags : string list } [@@deriving show];;
show_r { name = "x"; tags = ["a"; "b"] };;
