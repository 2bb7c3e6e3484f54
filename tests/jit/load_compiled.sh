#!/bin/sh
# #load of compiled units (.cmx) and libraries (.cmxa), which the JIT links in
# memory, against the bytecode toplevel loading the same sources compiled
# with ocamlc (.cmo, .cma).
set -u
ocamljit=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cp "$here"/lib/*.ml "$tmp"/ && cd "$tmp" || exit 1
ocamlopt -c greet.ml usegreet.ml && ocamlopt -a greet.cmx usegreet.cmx -o mylib.cmxa &&
  ocamlc -c greet.ml usegreet.ml && ocamlc -a greet.cmo usegreet.cmo -o mylib.cma || exit 1
status=0
for pair in "session cmx cmo" "library_session cmxa cma"; do
  set -- $pair
  sed "s/EXT/$2/" "$1.ml" > "native.ml"; sed "s/EXT/$3/" "$1.ml" > "byte.ml"
  OCAMLJIT_LOADER=jit "$ocamljit" -noprompt < native.ml 2>&1 | sed 1d > jit.out
  ocaml -noprompt < byte.ml 2>&1 | sed 1d > ocaml.out
  if cmp -s jit.out ocaml.out; then
    echo "jit: #load .$2: same output as ocaml with .$3"
  else
    echo "jit: #load .$2: output differs from ocaml with .$3:"; diff jit.out ocaml.out; status=1
  fi
done
exit $status
