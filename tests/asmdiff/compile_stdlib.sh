#!/bin/sh
# compile_stdlib.sh WORK STDLIB_SRC: compiles every module of the 4.13.1 stdlib,
# in dependency order and with the stdlib's own flags (stdlib/Makefile,
# stdlib/Compflags), twice: with ocamlopt (-S, GNU as) into WORK/stdlib/ref and
# with ocamljit-opt (dumping IR into WORK/stdlib/ir) into WORK/stdlib/jit.
# Both sides run in parallel. Prints one line per module: "ID RESULT".
# With STDLIB_TIMING=1 the sides run one after the other and their times go to
# stderr (for the benchmark).
set -eu
work=$1 src=$2
: "${OCAMLOPT:=ocamlopt.opt}" "${OCAMLJIT_OPT:?}"
base=$work/stdlib
rm -rf "$base" && mkdir -p "$base/ref" "$base/jit" "$base/ir"
here=$(cd "$(dirname "$0")" && pwd)
order=$(sh "$here/stdlib_order.sh" "$src")

# Same as stdlib/Makefile's COMPFLAGS, without -absname (it would put each
# side's own directory into the code's location strings) and -warn-error.
common="-strict-sequence -w +a-4-9-41-42-44-45-48-70 -g -bin-annot -nostdlib -principal -safe-string -strict-formats"

# stdlib/Compflags, for the file $1 (e.g. stdlib__Buffer.cmx); "-pp" stands
# for the stdlib's module-alias preprocessor.
compflags() {
  case $1 in
    stdlib.cm[iox]) echo '-nopervasives -no-alias-deps -w -49 -pp' ;;
    camlinternalFormatBasics*.cm[iox]|camlinternalAtomic.cm[iox]) echo '-nopervasives' ;;
    camlinternalOO.cmx) echo '-inline 0 -afl-inst-ratio 0' ;;
    camlinternalLazy.cmx) echo '-afl-inst-ratio 0' ;;
    stdlib__Buffer.cmx) echo '-inline 3' ;;
    stdlib__Scanf.cmx) echo '-inline 9' ;;
    *Labels.cmi) echo '-pp' ;;
    *Labels.cmx|stdlib__Float.cmx) echo '-nolabels -no-alias-deps' ;;
    stdlib__Oo.cmi) echo '-no-principal' ;;
  esac
}

# side DIR COMPILER: compiles every module in DIR with COMPILER (a command).
side() {
  dir=$1 compiler=$2
  cp "$src"/*.ml "$src"/*.mli "$src/expand_module_aliases.awk" "$dir/"
  sed -e "s|%%VERSION%%|$(sed -e 1q "$src/../VERSION" | tr -d '\r')|" "$src/sys.mlp" > "$dir/sys.ml"
  cd "$dir"
  echo "$order" | while read -r out file; do
    flags=$(compflags "$out")
    case " $flags " in
      *" -pp "*)
        $compiler $common $(echo "$flags" | sed "s/-pp//") -pp "awk -f ./expand_module_aliases.awk" \
          -o "$out" -c "$file" ;;
      *) $compiler $common $flags -o "$out" -c "$file" ;;
    esac
  done
}

now() { date +%s.%N; }
# CPU time (user + sys) of the finished children of this shell, in seconds;
# `times` must run in this very shell (not in a command substitution).
cpu() { awk 'function s(x) { sub(/s$/, "", x); split(x, p, "m"); return p[1] * 60 + p[2] }
             NR == 2 { print s($1) + s($2) }' "$base/times"; }
if [ -n "${STDLIB_TIMING:-}" ]; then
  # For the benchmark: one side after the other, timed; no -S on the ref side.
  times > "$base/times"; c0=$(cpu); t0=$(now)
  ( side "$base/ref" "$OCAMLOPT" ) > "$base/ref.log" 2>&1 && ref_status=0 || ref_status=$?
  times > "$base/times"; c1=$(cpu); t1=$(now)
  ( side "$base/jit" "$OCAMLJIT_OPT" ) > "$base/jit.log" 2>&1 && jit_status=0 || jit_status=$?
  times > "$base/times"; c2=$(cpu); t2=$(now)
  echo "$t0 $t1 $t2 $c0 $c1 $c2" | awk '{
    printf "stdlib build: wall: ocamlopt %.2f s, ocamljit-opt %.2f s; ", $2 - $1, $3 - $2
    printf "CPU (user+sys, incl. as): ocamlopt %.2f s, ocamljit-opt %.2f s, saved %.2f s (%.0f %%)\n", $5 - $4, $6 - $5, ($5 - $4) - ($6 - $5), 100 * (($5 - $4) - ($6 - $5)) / ($5 - $4) }' >&2
else
  ( side "$base/ref" "$OCAMLOPT -S" ) > "$base/ref.log" 2>&1 &
  ref_pid=$!
  ( export OCAMLJIT_DUMP_IR="$base/ir"; side "$base/jit" "$OCAMLJIT_OPT" ) > "$base/jit.log" 2>&1 &
  jit_pid=$!
  ref_status=0; jit_status=0
  wait $ref_pid || ref_status=$?
  wait $jit_pid || jit_status=$?
fi
if [ $ref_status -ne 0 ]; then
  echo "asmdiff: ocamlopt failed to build the stdlib:" >&2; tail -5 "$base/ref.log" >&2; exit 1
fi
if [ $jit_status -ne 0 ]; then
  echo "asmdiff: ocamljit-opt failed to build the stdlib:" >&2; tail -5 "$base/jit.log" >&2
fi
for o in $(echo "$order" | awk '$1 ~ /\.cmx$/ { sub(/\.cmx$/, ".o", $1); print $1 }'); do
  m=${o%.o}
  if [ ! -f "$base/jit/$o" ]; then
    echo "stdlib/$m jit-failed"
  elif sh "$here/objcmp.sh" "$base/ref/$o" "$base/jit/$o" > "$base/$m.diff" 2>&1; then
    echo "stdlib/$m same"
  else
    echo "stdlib/$m differ"
  fi
done
