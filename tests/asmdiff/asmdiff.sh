#!/bin/sh
# asmdiff.sh WORK OCAML_SRC: the differential test of ocamljit-opt against
# ocamlopt (GNU as). Every stdlib module and every testsuite .ml that compiles
# standalone is compiled by both; .text/.data bytes and relocations must match
# except for the units listed, with a reason, in known-differences.txt. Then a
# sample of testsuite programs is linked from ocamljit-opt objects and run
# against their .reference output. Environment: OCAMLJIT_OPT (required),
# OCAMLOPT, JOBS.
set -eu
work=$1 osrc=$2
: "${OCAMLJIT_OPT:?}" "${JOBS:=2}"
export OCAMLJIT_OPT
here=$(cd "$(dirname "$0")" && pwd)
known=$here/known-differences.txt
sample=$here/run-sample.txt
ts=$osrc/testsuite
mkdir -p "$work"
results=$work/results.txt
fail=0

# 0. Self-test: the comparison must see a changed byte in .text and in .data.
sh "$here/selftest.sh" "$work/selftest" || { echo "asmdiff: self-test FAILED" >&2; exit 1; }

# Which backend ocamljit-opt uses. With the in-process assembler, compiling a
# unit must not start any process (no `as`): checked with strace.
probe=$work/probe
rm -rf "$probe" && mkdir -p "$probe"
cp "$here/../fuzz/ir-seeds/control.ml" "$probe/"
if (cd "$probe" && OCAMLJIT_OPT_BACKEND=internal $OCAMLJIT_OPT -c control.ml) > "$probe/log" 2>&1; then
  echo "asmdiff: ocamljit-opt backend: internal (the in-process assembler)"
  (cd "$probe" && strace -f -qq -e trace=execve -o trace $OCAMLJIT_OPT -c control.ml)
  if [ "$(grep -c 'execve(' "$probe/trace")" -ne 1 ]; then
    echo "asmdiff: ocamljit-opt -c started other programs:" >&2; cat "$probe/trace" >&2; exit 1
  fi
  echo "asmdiff: ocamljit-opt -c starts no other process (strace)"
elif grep -q "this build has no in-process assembler" "$probe/log"; then
  echo "asmdiff: ocamljit-opt backend: gas (this build has no C++ assembler: objects come from the IR printed back as GAS text and GNU as)"
else
  echo "asmdiff: ocamljit-opt failed on a probe unit:" >&2; cat "$probe/log" >&2; exit 1
fi

# 1. Compile. The testsuite's helper modules (testsuite/lib: Lib, Testing),
# which many tests use, are built once by ocamlopt and visible to both sides.
sh "$here/compile_stdlib.sh" "$work" "$osrc/stdlib" > "$results"
rm -rf "$work/tslib" && mkdir -p "$work/tslib"
cp "$ts/lib/lib.ml" "$ts/lib/testing.mli" "$ts/lib/testing.ml" "$work/tslib/"
(cd "$work/tslib" && ${OCAMLOPT:-ocamlopt.opt} -w -a -c lib.ml testing.mli testing.ml)
export ASMDIFF_INCLUDES="-I $work/tslib -I +threads"
(cd "$ts/tests" && find . -name '*.ml' | sed 's|^\./||' | sort) |
  xargs -P "$JOBS" -n 1 sh "$here/compile_testsuite_unit.sh" "$work" "$ts" >> "$results"

# 2. Judge against the list of known differences ("ID reason...").
listed() { grep -v '^#' "$known" | awk -v id="$1" '$1 == id { found = 1 } END { exit !found }'; }
for kind in stdlib testsuite; do
  total=$(grep -c "^$kind/" "$results" || true)
  skipped=$(grep -c "^$kind/.* skipped" "$results" || true)
  same=$(grep -c "^$kind/.* same" "$results" || true)
  compiled=$((total - skipped))
  echo "asmdiff: $kind: $compiled units compiled by ocamlopt ($skipped of $total .ml files do not compile standalone), $same identical, $((compiled - same)) different"
done
grep -v ' same$' "$results" | grep -v ' skipped$' | while read -r id status rest; do
  if listed "$id"; then
    echo "asmdiff: known difference: $id ($status)"
  else
    echo "asmdiff: UNEXPECTED $status: $id $rest" >&2
    diff=$work/$id/diff; [ -f "$diff" ] || diff=$work/stdlib/$(basename "$id").diff
    [ -f "$diff" ] && sed 's/^/    /' "$diff" >&2
    echo x >> "$work/unexpected"
  fi
done
grep -v '^#' "$known" | awk 'NF { print $1 }' | while read -r id; do
  if grep -q "^$id same$" "$results"; then
    echo "asmdiff: NOTE: $id now matches: remove it from tests/asmdiff/known-differences.txt"
  fi
done
if [ -s "$work/unexpected" ]; then
  echo "asmdiff: $(wc -l < "$work/unexpected") unexpected differences" >&2
  rm -f "$work/unexpected"
  fail=1
fi

# 3. Link and run a sample of testsuite programs built by ocamljit-opt.
ran=0
for rel in $(grep -v '^#' "$sample"); do
  name=$(basename "$rel" .ml)
  d=$work/testsuite/$rel/jit
  ref=$ts/tests/$(dirname "$rel")/$name.reference
  if ! grep -q "^testsuite/$rel same$" "$results"; then
    echo "asmdiff: sample program $rel was not built identically" >&2; fail=1; continue
  fi
  if ! (cd "$d" && $OCAMLJIT_OPT -o "$name.exe" "$name.cmx") > "$d/link.log" 2>&1; then
    echo "asmdiff: linking $rel with ocamljit-opt failed:" >&2; head -5 "$d/link.log" >&2; fail=1; continue
  fi
  (cd "$d" && ./"$name.exe" > "$name.out" 2>&1 < /dev/null) || true
  if cmp -s "$d/$name.out" "$ref"; then
    ran=$((ran + 1))
  else
    echo "asmdiff: $rel: output differs from its .reference:" >&2
    diff "$ref" "$d/$name.out" | head -5 >&2
    fail=1
  fi
done
echo "asmdiff: $ran of $(grep -vc '^#' "$sample") sample programs linked from ocamljit-opt objects print their reference output"
exit $fail
