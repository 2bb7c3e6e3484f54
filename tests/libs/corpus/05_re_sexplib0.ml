#use "topfind";;
#require "re";;
let re = Re.compile (Re.Pcre.re "([a-z]+)@([a-z]+)\\.com");;
Re.Group.get (Re.exec re "mail bob@example.com now") 2;;
Re.replace_string (Re.compile (Re.rep1 Re.digit)) ~by:"#" "a1b22c333";;
#require "sexplib0";;
Sexplib0.Sexp.to_string (Sexplib0.Sexp.List [Atom "a"; List [Atom "b c"]]);;
Sexplib0.Sexp_conv.sexp_of_list Sexplib0.Sexp_conv.sexp_of_int [1;2;3];;
