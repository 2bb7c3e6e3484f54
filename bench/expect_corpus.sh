#!/bin/sh
# The optional `corpus` workload of `make bench` (BENCH_CORPUS=1): every expect test of the
# OCaml testsuite run once through the conformance harness's ocamljit-expect (loader from
# OCAMLJIT_LOADER), one after the other. Verdicts are the harness's business, not timed here:
# statuses are ignored, corrected files go to OUT_DIR.
# Usage: expect_corpus.sh OCAMLJIT_EXPECT TESTSUITE_TESTS_DIR OUT_DIR
runner=$1 tests=$2 out=$3
rm -rf "$out" && mkdir -p "$out"
"$runner" -list "$tests" | while IFS= read -r t; do
  ( cd "$(dirname "$t")" && timeout 120 "$runner" -corrected "$out/$(basename "$t").corrected" \
      "$(basename "$t")" ) < /dev/null > /dev/null 2>&1
done
exit 0
