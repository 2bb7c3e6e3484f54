#!/bin/sh
# Runs the testsuite's tool-toplevel tests through ocamljit the way their TEST
# headers say: `toplevel` tests read the file on standard input with
# ocamltest's flags (-noinit -no-version -noprompt) and are compared with the
# recorded .compilers.reference and with `ocaml` run on the same input;
# `expect` tests go through the expect runner. Prints "<status> <test>" lines.
# Usage: tool-toplevel.sh OCAMLJIT RUNNER TESTS_ROOT OUTDIR
top=$1 runner=$2 root=$3 out=$4
here=$(cd "$(dirname "$0")" && pwd)
dir=tool-toplevel
mkdir -p "$out/$dir"
for file in "$root/$dir"/*.ml; do
  base=$(basename "$file" .ml) test=$dir/$base.ml
  header=$("$runner" -header "$file")
  actions=$(echo "$header" | sed -n 's/^actions: //p')
  flags=$(echo "$header" | sed -n 's/^flags: //p')
  includes=$(echo "$header" | sed -n 's/^includes: //p')
  case " $actions " in
    *" expect "*) sh "$here/expect-one.sh" "$runner" "$root" "$out" "$test" ;;
    *" toplevel "*)
      # `include ocamlcommon`: ocaml loads the library; ocamljit contains it.
      jit_libs= byte_libs=
      for lib in $includes; do
        jit_libs="$jit_libs -I +compiler-libs"
        byte_libs="$byte_libs -I +compiler-libs $lib.cma"
      done
      ( cd "$root/$dir" && timeout 120 "$top" -noinit -no-version -noprompt $flags $jit_libs <"$base.ml" \
          >"$out/$test.ocamljit" 2>&1 )
      ( cd "$root/$dir" && timeout 120 ocaml -noinit -no-version -noprompt $flags $byte_libs <"$base.ml" \
          >"$out/$test.ocaml" 2>&1 )
      ref="$root/$dir/$base.compilers.reference"
      if ! cmp -s "$out/$test.ocamljit" "$ref"; then
        echo "fail $test (differs from $base.compilers.reference)"
      elif ! cmp -s "$out/$test.ocamljit" "$out/$test.ocaml"; then
        echo "fail $test (matches the reference but not ocaml)"
      else
        echo "pass $test"
      fi ;;
    *) ;;  # helper files (#use'd by the tests) have no header
  esac
done
