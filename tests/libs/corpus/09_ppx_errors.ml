#use "topfind";;
#require "ppx_deriving.show";;
type t = int [@@deriving nosuch];;
type s = A [@@deriving show];;
show_s A;;
show A;;
