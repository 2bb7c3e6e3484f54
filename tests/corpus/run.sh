#!/bin/sh
# The project corpus: every tests/corpus/*.ml through `ocamljit -noprompt <
# FILE` and `ocaml -noprompt < FILE`, and every line of commands.txt with
# both toplevels; outputs (stdout and stderr together) and exit statuses must
# match, the banner line aside. Prints "<status> <case>" lines.
# Usage: run.sh OCAMLJIT OUTDIR
top=$(cd "$(dirname "$1")" && pwd)/$(basename "$1") out=$2
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
out=$(cd "$out" && pwd)
# No init file of the user's, no environment that changes the output.
home=$out/home
rm -rf "$home" && mkdir -p "$home"
unset XDG_CONFIG_HOME OCAMLRUNPARAM CAMLRUNPARAM OCAMLPARAM OCAMLTOP_INCLUDE_PATH OCAML_COLOR \
  OCAML_ERROR_STYLE
export HOME="$home"

# The banner and the usage messages name the toplevel; everything else must be equal.
normalise() {
  sed -e 's/^        OCaml version 4\.13\.1.*$/        OCaml version 4.13.1 <banner>/' \
      -e "s|^$top:|<toplevel>:|; s|^$(command -v ocaml):|<toplevel>:|" \
      -e "s/^Usage: ocaml\(jit\)\{0,1\} /Usage: <toplevel> /; s/^Try 'ocaml\(jit\)\{0,1\} /Try '<toplevel> /" "$1"
}

# run_case NAME COMMAND: COMMAND uses $TOP.
run_case() {
  name=$1 cmd=$2
  for which in ocamljit ocaml; do
    if [ $which = ocamljit ]; then TOP=$top; else TOP=ocaml; fi
    # A hung toplevel must fail the case, not the whole run.
    ( cd "$here" && TOP=$TOP timeout 120 sh -c "$cmd" ) </dev/null >"$out/$name.$which.raw" 2>&1
    echo "exit status $?" >>"$out/$name.$which.raw"
    normalise "$out/$name.$which.raw" >"$out/$name.$which"
  done
  if cmp -s "$out/$name.ocamljit" "$out/$name.ocaml"; then
    echo "pass $name"
  else
    echo "fail $name (diff $out/$name.ocaml $out/$name.ocamljit)"
  fi
}

for file in "$here"/*.ml; do
  base=$(basename "$file")
  run_case "$base" "\$TOP -noprompt < $base"
done
grep -v '^[[:space:]]*\(#\|$\)' "$here/commands.txt" | while IFS='|' read -r name cmd; do
  run_case "$(echo $name)" "$cmd"
done
