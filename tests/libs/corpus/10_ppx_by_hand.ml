#ppx "/usr/lib/ocaml/ppx_deriving/ppx_deriving";;
type t = A [@@deriving show];;
1;;
