#!/bin/sh
# Native-only behaviour (backtraces, Sys.backend_type, marshalled code
# pointers): the JIT must print what the external loader (stock ocamlnat's
# as + ld + dlopen path) prints.
# usage: compare_with_external.sh OCAMLJIT FILE...
set -u
ocamljit=$(cd "$(dirname "$1")" && pwd)/$(basename "$1"); shift
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
status=0
for f in "$@"; do
  OCAMLJIT_LOADER=external "$ocamljit" -noprompt < "$f" > "$tmp/external" 2>&1
  for source in ${JIT_OBJECT_SOURCES:-internal as}; do
    OCAMLJIT_LOADER=jit OCAMLJIT_JIT_OBJECTS=$source "$ocamljit" -noprompt < "$f" > "$tmp/jit" 2>&1
    if cmp -s "$tmp/jit" "$tmp/external"; then
      echo "jit ($source objects): $(basename "$f"): same output as the external loader ($(wc -l < "$tmp/jit") lines)"
    else
      echo "jit ($source objects): $(basename "$f"): output differs from the external loader:"
      diff "$tmp/jit" "$tmp/external" | head -40
      status=1
    fi
  done
done
exit $status
