#!/bin/sh
# Runs each library session through ocamljit and through the bytecode
# toplevel `ocaml` (the oracle, run now on the same input) and compares
# their output, banner aside. findlib's own progress lines name the archives
# each toplevel loads (str.cma vs str.cmxa) and are left out of the
# comparison: "...: loaded", "...: added to search path", and for -ppx
# rewriters "...: activated", "...: option added".
# usage: compare.sh OCAMLJIT FILE...
set -u
ocamljit=$(cd "$(dirname "$1")" && pwd)/$(basename "$1"); shift
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
findlib_progress=': loaded$|: added to search path$|: activated$|: option added$'
# run DIR FILE COMMAND...: the session's output without the banner line. A
# directory with a .ocamlinit is run with it (both toplevels read ./.ocamlinit).
run() { dir=$1; file=$2; shift 2
  init=-noinit; [ -f "$dir/.ocamlinit" ] && init=""
  # shellcheck disable=SC2086  # $init is empty or one word
  (cd "$dir" && "$@" -noprompt $init < "$file") 2>&1 | sed 1d | grep -Ev "$findlib_progress"; }
status=0
for f in "$@"; do
  dir=$(dirname "$f"); file=$(basename "$f")
  run "$dir" "$file" ocaml > "$tmp/oracle"
  run "$dir" "$file" "$ocamljit" > "$tmp/jit"
  if cmp -s "$tmp/jit" "$tmp/oracle"; then
    echo "libs: $file: same output as ocaml ($(wc -l < "$tmp/jit") lines)"
  else
    echo "libs: $file: output differs from ocaml:"
    diff "$tmp/jit" "$tmp/oracle" | head -40
    status=1
  fi
done
exit $status
