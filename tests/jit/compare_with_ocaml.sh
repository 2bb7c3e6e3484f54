#!/bin/sh
# Runs each phrase file through ocamljit (JIT loader) and through the bytecode
# toplevel `ocaml` (the oracle); the outputs must be identical, banner aside.
# Each object source in $JIT_OBJECT_SOURCES (default: "internal as") is tried:
# the in-process assembler and GNU as must give the same results.
# usage: compare_with_ocaml.sh OCAMLJIT FILE...
set -u
ocamljit=$(cd "$(dirname "$1")" && pwd)/$(basename "$1"); shift
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
status=0
for f in "$@"; do
  (cd "$(dirname "$f")" && ocaml -noprompt < "$(basename "$f")") 2>&1 | sed 1d > "$tmp/ocaml"
  for source in ${JIT_OBJECT_SOURCES:-internal as}; do
    (cd "$(dirname "$f")" && OCAMLJIT_LOADER=jit OCAMLJIT_JIT_OBJECTS=$source "$ocamljit" -noprompt \
       < "$(basename "$f")") 2>&1 | sed 1d > "$tmp/jit"
    if cmp -s "$tmp/jit" "$tmp/ocaml"; then
      echo "jit ($source objects): $(basename "$f"): same output as ocaml ($(wc -l < "$tmp/ocaml") lines)"
    else
      echo "jit ($source objects): $(basename "$f"): output differs from ocaml:"
      diff "$tmp/jit" "$tmp/ocaml" | head -40
      status=1
    fi
  done
done
exit $status
