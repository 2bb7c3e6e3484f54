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
# The bench's generated phrases (one a line), with a probe after phrases A and B.
sh "$(dirname "$0")/../../bench/gen_phrases.sh" "$b" | awk -v a="$a" -v b="$b" '
  { print }
  NR == a || NR == b {
    print "let () = Gc.full_major (); Printf.printf \"LIVE " NR " %d\\n%!\" (Gc.stat ()).Gc.live_words;;" }' \
  > "$tmp/phrases.ml"
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
