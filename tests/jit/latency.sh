#!/bin/sh
# Not a test: per-phrase latency of 100 tiny phrases, for the JIT (both object
# sources), the external loader and the bytecode toplevel `ocaml`:
# (time of 100 phrases - time of an empty session) / 100, medians of RUNS runs.
# usage: latency.sh OCAMLJIT [RUNS]
set -u
ocamljit=$1; runs=${2:-5}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
awk 'BEGIN { for (i = 0; i < 100; i++) printf "let x%d = %d + 1;;\n", i, i }' > "$tmp/p100.ml"
: > "$tmp/p0.ml"
elapsed_us() { s=$(date +%s%N); sh -c "$1" > /dev/null 2>&1; e=$(date +%s%N); echo $(( (e - s) / 1000 )); }
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
for cfg in jit jit-as external ocaml; do
  case $cfg in
    ocaml) cmd="ocaml -noprompt -noinit" ;;
    jit-as) cmd="OCAMLJIT_LOADER=jit OCAMLJIT_JIT_OBJECTS=as $ocamljit -noprompt -noinit" ;;
    *) cmd="OCAMLJIT_LOADER=$cfg $ocamljit -noprompt -noinit" ;;
  esac
  p0=$(i=0; while [ $i -lt "$runs" ]; do elapsed_us "$cmd < $tmp/p0.ml"; i=$((i + 1)); done | median)
  p100=$(i=0; while [ $i -lt "$runs" ]; do elapsed_us "$cmd < $tmp/p100.ml"; i=$((i + 1)); done | median)
  echo "$cfg: startup ${p0} us, 100 phrases ${p100} us, per phrase $(( (p100 - p0) / 100 )) us"
done
echo "JIT phases per unit (jit):"
OCAMLJIT_LOADER=jit OCAMLJIT_JIT_STATS=1 "$ocamljit" -noprompt -noinit < "$tmp/p100.ml" 2>&1 >/dev/null | tail -1
