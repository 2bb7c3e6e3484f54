#!/bin/sh
# Runs one expect test through ocamljit-expect, as ocamltest does: without
# -principal, then with it. Prints one line: "<status> <test>", status being
# pass, fail or n/a. Usage: expect-one.sh RUNNER ROOT OUTDIR TEST (TEST relative to ROOT).
runner=$1 root=$2 out=$3 test=$4
dir=$(dirname "$test") base=$(basename "$test")
mkdir -p "$out/$dir"
log="$out/$test.log"
for mode in normal principal; do
  flag=; [ $mode = principal ] && flag=-principal
  # The test's own stdout (print_string...) is not part of the expectations.
  ( cd "$root/$dir" && timeout 120 "$runner" $flag -corrected "$out/$test.$mode.corrected" "$base" ) \
    </dev/null >"$log" 2>&1
  rc=$?
  case $rc in
    0) ;;
    3) echo "n/a $test"; exit 0 ;;
    *) echo "fail $test ($mode: status $rc, see $log and $out/$test.$mode.corrected)"; exit 0 ;;
  esac
done
echo "pass $test"
