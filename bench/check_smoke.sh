#!/bin/sh
# Checks the table of a smoke run of bench.sh (`make test-bench-smoke`): rows for the
# startup, phrases and per-phrase workloads of ocamljit and ocaml, each session's output
# identical to the bytecode toplevel's. Nothing here looks at a time.
# Usage: check_smoke.sh TABLE
set -eu
table=$1
fail() { echo "bench smoke test: $*" >&2; cat "$table" >&2; exit 1; }
for sys in ocamljit ocaml; do
  for wl in startup phrases per-phrase; do
    awk -v wl="$wl" -v sys="$sys" '$1 == wl && $2 == sys && $3 ~ /^-?[0-9.]+$/ { found = 1 }
      END { exit !found }' "$table" || fail "no $wl row for $sys"
  done
done
for wl in startup phrases; do
  awk -v wl="$wl" '$1 == wl && $2 == "ocamljit" && $NF == "same" { found = 1 } END { exit !found }' \
    "$table" || fail "ocamljit's $wl output differs from ocaml's"
done
echo "bench smoke test: ok"
