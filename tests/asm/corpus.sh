#!/bin/sh
# TEST-ONLY. Differential test of the assembler on real compiler output:
# compiles the 4.13.1 stdlib and the testsuite's single-file programs with
# `ocamlopt -S` (X86_gas's text), then asm-diff assembles each file with our
# assembler and with GNU as and compares sections, relocations and symbols.
# usage: corpus.sh OCAML_SRC_DIR OUT_DIR ASM_DIFF
set -eu
src=$1; out=$2; asmdiff=$3
where=$(ocamlopt -where)
rm -rf "$out"; mkdir -p "$out/stdlib" "$out/testsuite"

# Stdlib: each module under its real unit name (stdlib__List, ...), against
# the installed stdlib's interfaces.
cd "$out/stdlib"
for f in "$src"/stdlib/*.ml; do
  b=$(basename "$f" .ml)
  case $b in
    stdlib) unit=$b; extra="-nopervasives" ;;
    camlinternalFormatBasics|camlinternalAtomic) unit=$b; extra="-nopervasives" ;;
    camlinternal*) unit=$b; extra="" ;;
    std_exit) unit=$b; extra="" ;;
    *) unit=stdlib__$(printf %s "$b" | cut -c1 | tr a-z A-Z)$(printf %s "$b" | cut -c2-); extra="" ;;
  esac
  case $b in *Labels|float) extra="$extra -nolabels" ;; esac
  cp "$f" "$unit.ml"
  # The interface is the installed one (its .cmi is in $where).
  [ -f "$src/stdlib/$b.mli" ] && cp "$src/stdlib/$b.mli" "$unit.mli"
  if [ "$b" = stdlib ]; then
    # As the stdlib's Makefile does: module aliases expanded by its awk script.
    ocamlopt -g -S -c -nostdlib -I "$where" $extra -no-alias-deps -w -a \
      -pp "awk -f $src/stdlib/expand_module_aliases.awk" "$unit.ml" 2>"$unit.err" || true
  else
    ocamlopt -g -S -c -nostdlib -I "$where" $extra -no-alias-deps -w -a "$unit.ml" 2>"$unit.err" || true
  fi
done
# Testsuite programs, each compiled on its own (those needing other files
# or special flags are skipped: they do not compile alone).
# The testsuite's helper modules (Lib, Testing) and threads are visible.
mkdir -p "$out/tslib"
cp "$src/testsuite/lib/lib.ml" "$src/testsuite/lib/testing.mli" "$src/testsuite/lib/testing.ml" "$out/tslib/"
(cd "$out/tslib" && ocamlopt -w -a -c lib.ml testing.mli testing.ml)
cd "$out/testsuite"
i=0
[ "${ASM_CORPUS_STDLIB_ONLY:-}" ] || find "$src/testsuite/tests" -name '*.ml' | sort | while read -r f; do
  i=$((i + 1))
  d=$(dirname "$f")
  ocamlopt -g -S -c -w -a -I "$d" -I "$out/tslib" -I +threads -o "t$i.cmx" "$f" >/dev/null 2>&1 || rm -f "t$i.s"
done
nml=$(ls "$src"/stdlib/*.ml | wc -l)
nstd=$(find "$out/stdlib" -name '*.s' | wc -l)
nts=$(find "$out/testsuite" -name '*.s' | wc -l)
echo "asm corpus: $nstd of $nml stdlib units, $nts testsuite units (those that compile alone)"
find "$out/stdlib" "$out/testsuite" -name '*.s' | sort | xargs "$asmdiff" -q
