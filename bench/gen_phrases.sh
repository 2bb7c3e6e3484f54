#!/bin/sh
# Writes N tiny toplevel phrases (default 100), one per line, cycling through the kinds of
# phrase a REPL user types: values, functions, applications, strings, types, records, lists,
# exceptions, pattern matching. Every phrase is independent of the kind cycle but may use
# names defined earlier, so a session is realistic and every toplevel accepts it.
# Usage: gen_phrases.sh [N]
n=${1:-100}
awk -v n="$n" 'BEGIN {
  for (i = 1; i <= n; i++) {
    k = (i - 1) % 10
    if (k == 0)      printf "let x%d = %d;;\n", i, i
    else if (k == 1) printf "let f%d y = y * %d + x%d;;\n", i, i, i - 1
    else if (k == 2) printf "f%d %d;;\n", i - 1, i
    else if (k == 3) printf "let s%d = \"p\" ^ string_of_int %d;;\n", i, i
    else if (k == 4) printf "type t%d = A%d | B%d of int;;\n", i, i, i
    else if (k == 5) printf "let g%d = function A%d -> 0 | B%d n -> n + %d;;\n", i, i - 1, i - 1, i
    else if (k == 6) printf "List.map (fun v -> v + %d) [1; 2; 3];;\n", i
    else if (k == 7) printf "let r%d = { contents = %d };;\n", i, i
    else if (k == 8) printf "exception E%d of string;;\n", i
    else             printf "(try raise (E%d \"x\") with E%d s -> s ^ s%d);;\n", i - 1, i - 1, i - 6
  }
}'
