#!/bin/sh
# Runs each phrase file through ocamljit with the JIT loader, once per object
# source in $JIT_OBJECT_SOURCES (default "internal as": the in-process
# assembler and GNU as must agree), and compares with an oracle, banner aside:
#   ocaml     the bytecode toplevel (the reference for everything printable);
#   external  ocamljit's external loader (stock ocamlnat's as + ld + dlopen
#             path), for native-only behaviour: backtraces, Sys.backend_type,
#             marshalled code pointers.
# Each file runs from its own directory, so #use of relative paths works.
# usage: compare.sh ocaml|external OCAMLJIT FILE...
set -u
oracle=$1; shift
ocamljit=$(cd "$(dirname "$1")" && pwd)/$(basename "$1"); shift
case $oracle in
  ocaml) oracle_cmd="ocaml" ;;
  external) oracle_cmd="env OCAMLJIT_LOADER=external $ocamljit" ;;
  *) echo "compare.sh: unknown oracle $oracle (ocaml or external)" >&2; exit 2 ;;
esac
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
# run DIR FILE COMMAND...: the session's output without the banner line.
run() { dir=$1; file=$2; shift 2; (cd "$dir" && "$@" -noprompt < "$file") 2>&1 | sed 1d; }
status=0
for f in "$@"; do
  dir=$(dirname "$f"); file=$(basename "$f")
  # shellcheck disable=SC2086  # oracle_cmd is a command with arguments
  run "$dir" "$file" $oracle_cmd > "$tmp/oracle"
  for source in ${JIT_OBJECT_SOURCES:-internal as}; do
    run "$dir" "$file" env OCAMLJIT_LOADER=jit OCAMLJIT_JIT_OBJECTS="$source" "$ocamljit" > "$tmp/jit"
    if cmp -s "$tmp/jit" "$tmp/oracle"; then
      echo "jit ($source objects): $file: same output as $oracle ($(wc -l < "$tmp/jit") lines)"
    else
      echo "jit ($source objects): $file: output differs from $oracle:"
      diff "$tmp/jit" "$tmp/oracle" | head -40
      status=1
    fi
  done
done
exit $status
