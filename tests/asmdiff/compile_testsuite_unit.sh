#!/bin/sh
# compile_testsuite_unit.sh WORK TESTSUITE REL: compiles testsuite/tests/REL
# standalone with ocamlopt (-S, GNU as) and with ocamljit-opt (dumping its IR),
# each in its own directory, and prints one line: "ID RESULT [detail]" with
# RESULT one of same, differ, jit-failed, skipped (ocamlopt rejects it alone).
set -u
work=$1 ts=$2 rel=$3
: "${OCAMLOPT:=ocamlopt.opt}" "${OCAMLJIT_OPT:?}"
id=testsuite/$rel
name=$(basename "$rel")
d=$work/$id
rm -rf "$d" && mkdir -p "$d/ref" "$d/jit" "$d/ir"
cp "$ts/tests/$rel" "$d/ref/$name" && cp "$ts/tests/$rel" "$d/jit/$name"
flags="-g -w -a ${ASMDIFF_INCLUDES:-}"
if ! (cd "$d/ref" && $OCAMLOPT $flags -S -c "$name") >"$d/ref.log" 2>&1; then
  echo "$id skipped"; exit 0
fi
if ! (cd "$d/jit" && OCAMLJIT_DUMP_IR="$d/ir" $OCAMLJIT_OPT $flags -c "$name") >"$d/jit.log" 2>&1; then
  echo "$id jit-failed $(head -c 200 "$d/jit.log" | tr '\n' ' ')"; exit 0
fi
o=${name%.ml}.o
if sh "$(dirname "$0")/objcmp.sh" "$d/ref/$o" "$d/jit/$o" >"$d/diff" 2>&1; then
  echo "$id same"
else
  echo "$id differ"
fi
