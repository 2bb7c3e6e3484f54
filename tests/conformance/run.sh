#!/bin/sh
# The conformance harness of `make test`: runs the suites with each loader
# and prints one summary line per suite and loader.
#   expect         the OCaml testsuite's expect tests vs their recorded outputs
#   tool-toplevel  testsuite/tests/tool-toplevel vs .reference files and ocaml
#   corpus         tests/corpus vs ocaml run at test time
# Usage: run.sh BUILD_DIR TESTSUITE_TESTS_DIR [SUITE...]
# Loaders: $CONFORMANCE_LOADERS, else every loader the build has.
build=$(cd "$1" && pwd) tests=$(cd "$2" && pwd); shift 2
suites=${*:-expect tool-toplevel corpus}
here=$(cd "$(dirname "$0")" && pwd)
corpus=$(cd "$here/../corpus" && pwd)
top=$build/bin/ocamljit runner=$build/bin/ocamljit-expect
loaders=${CONFORMANCE_LOADERS:-$("$runner" -list-loaders)}
available=$("$runner" -list-loaders)
for loader in $loaders; do
  case " $(echo $available) " in
    *" $loader "*) ;;
    *) echo "run.sh: this build has no loader \"$loader\" (it has: $(echo $available))" >&2; exit 2 ;;
  esac
done
jobs=${CONFORMANCE_JOBS:-2}
status=0 summary=
for loader in $loaders; do
  export OCAMLJIT_LOADER=$loader
  for suite in $suites; do
    out=$build/conformance/$loader/$suite
    rm -rf "$out" && mkdir -p "$out"
    case $suite in
      expect)
        "$runner" -list "$tests" | sed "s|^$tests/||" \
          | xargs -P"$jobs" -n1 sh "$here/expect-one.sh" "$runner" "$tests" "$out" >"$out/results"
        known=$here/expect-known-failures.txt ;;
      tool-toplevel)
        sh "$here/tool-toplevel.sh" "$top" "$runner" "$tests" "$out" >"$out/results"
        known=$here/tool-toplevel-known-failures.txt ;;
      corpus)
        sh "$corpus/run.sh" "$top" "$out" >"$out/results"
        known=$corpus/known-failures.txt ;;
      *) echo "run.sh: unknown suite $suite" >&2; exit 2 ;;
    esac
    sort -k2 -o "$out/results" "$out/results"
    line=$(sh "$here/verdict.sh" "$suite" "$loader" "$out/results" "$known")
    [ $? -eq 0 ] || status=1
    echo "$line"
    summary="$summary$(echo "$line" | tail -n 1)
"
  done
done
echo "conformance summary (details in $build/conformance/LOADER/SUITE):"
printf '%s' "$summary" | sed 's/^/  /'
exit $status
