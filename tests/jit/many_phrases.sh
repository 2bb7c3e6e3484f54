#!/bin/sh
# N phrases in one session (default 10000): same output as ocaml, and the
# JIT memory per phrase is reported (OCAMLJIT_JIT_STATS).
set -u
ocamljit=$1; n=${2:-10000}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
awk -v n="$n" 'BEGIN {
  for (i = 0; i < n; i++) {
    k = i % 4; j = i - (i % 4)
    if (k == 0) printf "let v%d = %d;;\n", i, i
    else if (k == 1) printf "let f%d x = x + v%d;;\n", i, j
    else if (k == 2) printf "f%d %d;;\n", j + 1, i
    else printf "let l%d = List.init 3 (fun k -> f%d k + v%d);;\n", i, j + 1, j
  } }' > "$tmp/phrases.ml"
OCAMLJIT_LOADER=jit OCAMLJIT_JIT_STATS=1 "$ocamljit" -noprompt < "$tmp/phrases.ml" > "$tmp/jit" 2> "$tmp/stats"
ocaml -noprompt < "$tmp/phrases.ml" 2>&1 | sed 1d > "$tmp/ocaml"
sed 1d "$tmp/jit" > "$tmp/jit.out"
if ! cmp -s "$tmp/jit.out" "$tmp/ocaml"; then
  echo "jit: $n phrases: output differs from ocaml"; diff "$tmp/jit.out" "$tmp/ocaml" | head -20
  cat "$tmp/stats"; exit 1
fi
echo "jit: $n phrases: same output as ocaml; $(grep 'ocamljit jit:' "$tmp/stats")"
