Str.global_replace (Str.regexp "o") "0" "foo";;
#require "re";;
Re.execp (Re.compile (Re.str "b")) "abc";;
