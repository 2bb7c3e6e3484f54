#!/bin/sh
# What a long session keeps: the words of the OCaml heap still live after a
# full major GC grow, per phrase, by what later phrases may use (the typing
# environment, where each value lives, the compiler's approximations of the
# phrase units, the values themselves), not by what compiling a phrase
# needed. Measured inside the session (Gc.stat after Gc.full_major) at
# phrase A and phrase B of a session of the usual kinds of phrase; the
# growth per phrase must stay under a bound and under the bytecode
# toplevel's on the same input. Today: ocamljit 134 words, ocaml 531; the
# bound (200) fails if typed trees are kept for a .cmt (579) or Emit's
# symbol sets are not emptied (226).
# Usage: retention.sh OCAMLJIT [A B]
set -u
ocamljit=$1; a=${2:-1000}; b=${3:-3000}
bound=200
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
awk -v a="$a" -v b="$b" '
function probe(k) {
  print "let () = Gc.full_major (); Printf.printf \"LIVE " k " %d\\n%!\" (Gc.stat ()).Gc.live_words;;" }
BEGIN {
  for (i = 1; i <= b; i++) {
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
    if (i == a || i == b) probe(i)
  } }' > "$tmp/phrases.ml"
# per_phrase SYSTEM OUTPUT: live words per phrase between the two probes.
per_phrase() {
  awk -v a="$a" -v b="$b" '$1 == "LIVE" { w[$2] = $3 }
    END { if ((a in w) && (b in w)) printf "%.0f\n", (w[b] - w[a]) / (b - a) }' "$2"
}
OCAMLJIT_LOADER=jit "$ocamljit" -noprompt -noinit < "$tmp/phrases.ml" > "$tmp/jit" 2>&1
ocaml -noprompt -noinit < "$tmp/phrases.ml" > "$tmp/ocaml" 2>&1
jit=$(per_phrase ocamljit "$tmp/jit"); byte=$(per_phrase ocaml "$tmp/ocaml")
if [ -z "$jit" ] || [ -z "$byte" ]; then
  echo "retention: the probes did not print (ocamljit: '${jit}', ocaml: '${byte}')"
  grep -m 5 -i error "$tmp/jit" "$tmp/ocaml"; exit 1
fi
msg="retention: live heap words per phrase between phrases $a and $b: ocamljit $jit, ocaml $byte"
if [ "$jit" -gt "$bound" ] || [ "$jit" -gt "$byte" ]; then
  echo "$msg: FAILED (bound: $bound and ocaml's)"; exit 1
fi
echo "$msg (bound: $bound and ocaml's)"
