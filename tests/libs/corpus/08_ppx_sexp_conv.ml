#use "topfind";;
#require "ppx_sexp_conv";;
open Sexplib0.Sexp_conv;;
type u = { a : int; b : string list } [@@deriving sexp];;
Sexplib0.Sexp.to_string (sexp_of_u { a = 1; b = ["x"; "y"] });;
u_of_sexp (Sexplib0.Sexp.List [List [Atom "a"; Atom "2"]; List [Atom "b"; List [Atom "z"]]]);;
