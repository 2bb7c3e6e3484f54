#!/bin/sh
# Compiles the OCaml standard library's sources with a given native compiler, the way
# stdlib/Makefile does (same order, flags and per-module flags from its Compflags script),
# into a fresh directory: the `stdlib` workload of `make bench` (ocamljit-opt vs ocamlopt).
# Usage: compile_stdlib.sh COMPILER STDLIB_SOURCE_DIR OUT_DIR
set -eu
[ $# -eq 3 ] || { echo "usage: compile_stdlib.sh COMPILER STDLIB_SOURCE_DIR OUT_DIR" >&2; exit 2; }
compiler=$1 src=$(cd "$2" && pwd) out=$3
rm -rf "$out" && mkdir -p "$out"
cp "$src"/*.ml "$src"/*.mli "$src"/*.awk "$src"/Compflags "$out"/
cd "$out"
# sys.ml is generated from sys.mlp with the version (first line of the tree's VERSION file).
sed -e "s|%%VERSION%%|$(sed -e 1q "$src/../VERSION" | tr -d '\r')|" "$src/sys.mlp" > sys.ml
export AWK=awk
# Warnings are not what is measured; everything else as upstream.
flags="-strict-sequence -absname -w -a -g -nostdlib -principal -safe-string -strict-formats -I ."
modules=$(sed -n '/^STDLIB_MODULE_BASENAMES *=/,/[^\\]$/p' "$src/StdlibModules" \
  | sed 's/STDLIB_MODULE_BASENAMES *=//; s/\\$//')
target_of() {
  case $1 in
    stdlib|camlinternal*) echo "$1" ;;
    *) echo "stdlib__$(printf '%s' "$1" | cut -c1 | tr '[:lower:]' '[:upper:]')$(printf '%s' "$1" | cut -c2-)" ;;
  esac
}
# Interfaces first. The list is in link order, which an interface may not follow (obj.mli
# uses Int32): retry the ones that fail until a pass makes no progress.
todo=$modules
while [ -n "$todo" ]; do
  left=""
  for m in $todo; do
    [ -f "$m.mli" ] || continue
    t=$(target_of "$m")
    eval "\"\$compiler\" $flags $(sh ./Compflags "$t.cmi") -o $t.cmi -c $m.mli" 2>/dev/null \
      || left="$left $m"
  done
  [ "$left" != "$todo" ] || { echo "compile_stdlib.sh: cannot compile the interfaces of:$left" >&2; exit 1; }
  todo=$left
done
for m in $modules; do
  t=$(target_of "$m")
  eval "\"\$compiler\" $flags $(sh ./Compflags "$t.cmx") -o $t.cmx -c $m.ml"
done
