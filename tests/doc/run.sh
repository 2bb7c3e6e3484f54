#!/bin/sh
# Tests of ocamljit-doc against the bytecode toplevel.
# Usage: tests/doc/run.sh PATH/TO/ocamljit-doc PATH/TO/installed/ocaml-mdx
#
# For every test document, the expected corrected document is made by
# feeding its phrases to `ocaml` (the oracle: outputs nobody here typed in)
# and laying its outputs out with --replay; ocamljit-doc's own in-process
# result must be identical. Then: check mode (exit status, diff, .corrected),
# --output -, --promote, idempotence, a documented library loaded with
# --load, a prelude, failing plain blocks and bad input.
set -eu
tool=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
# The same program installed under mdx's name (make install).
ocaml_mdx=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
[ "$(basename "$ocaml_mdx")" = ocaml-mdx ] && [ -x "$ocaml_mdx" ] || { echo "run.sh: $2 is not an ocaml-mdx" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
pass() { echo "ok: $*"; }

# Set by the env_vars.md blocks (set-/unset- labels); the oracle gets the
# values the blocks set, ocamljit-doc gets them from its labels.
export OCAMLJIT_DOC_TEST_UNSET=present
unset OCAMLJIT_DOC_TEST_SET || true

TOOL_ARGS=""
OCAML_ARGS=""

# The oracle: the bytecode toplevel, made by ocamlmktop so that the script's
# first phrase can reach its compiler-libs and frame the answers as
# ocamljit-doc does (`ocaml` itself keeps them private).
ocamlmktop -o "$work/ocaml-oracle"

# oracle DOC OUT: DOC corrected with the outputs of the bytecode toplevel.
oracle() {
  rec=$work/recording
  : > "$rec"
  # shellcheck disable=SC2086
  "$tool" $TOOL_ARGS --envs "$1" > "$work/envs"
  while IFS= read -r env; do
    # shellcheck disable=SC2086
    "$tool" $TOOL_ARGS --phrases-script "$env" "$1" |
      env -u OCAMLJIT_DOC_TEST_UNSET OCAMLJIT_DOC_TEST_SET=hello "$work/ocaml-oracle" -noprompt -noinit $OCAML_ARGS >> "$rec" 2>&1 || true
  done < "$work/envs"
  "$tool" --replay "$rec" --output "$2" "$1"
}

# check_doc SOURCE: every property of one document.
check_doc() {
  src=$1
  name=$(basename "$src")
  d=$work/doc.$name
  rm -rf "$d" && mkdir -p "$d/a" "$d/b" "$d/c"
  # Files the document includes or runs in (file=, dir=) stand next to it.
  if [ -n "${SUPPORT_DIR:-}" ]; then
    for x in a b c; do cp -R "$SUPPORT_DIR"/. "$d/$x/"; done
  fi
  cp "$src" "$d/a/$name"
  oracle "$d/a/$name" "$d/expected"
  # Shell blocks and included files are not the toplevel's: their expected
  # result is written by hand from mdx's documentation and tests.
  if [ -e "$src.expected" ]; then
    cmp -s "$src.expected" "$d/expected" && pass "$name: as mdx records it ($name.expected)" ||
      { fail "$name: differs from $name.expected:"; diff -u "$src.expected" "$d/expected" >&2 || true; }
  fi

  # Agreement with the bytecode toplevel, through --output FILE and --output -.
  # shellcheck disable=SC2086
  if "$tool" $TOOL_ARGS --output "$d/actual" "$d/a/$name" && cmp -s "$d/expected" "$d/actual"; then
    pass "$name: every output agrees with ocaml"
  else
    fail "$name: outputs differ from ocaml's:"; diff -u "$d/expected" "$d/actual" >&2 || true
  fi
  # shellcheck disable=SC2086
  "$tool" $TOOL_ARGS --output - "$d/a/$name" > "$d/stdout" || true
  cmp -s "$d/expected" "$d/stdout" && pass "$name: --output - gives the corrected document" ||
    fail "$name: --output - differs"

  # Check mode.
  status=0
  # shellcheck disable=SC2086
  "$tool" $TOOL_ARGS "$d/a/$name" > "$d/diff" 2> "$d/stderr" || status=$?
  case $name in
    correct*)
      [ $status = 0 ] && [ ! -e "$d/a/$name.corrected" ] && [ ! -s "$d/diff" ] &&
        pass "$name: a correct document checks (exit 0)" || fail "$name: correct document: exit $status" ;;
    *)
      if [ $status = 1 ] && cmp -s "$d/expected" "$d/a/$name.corrected"; then
        pass "$name: a stale document: exit 1 and $name.corrected"
      else
        fail "$name: stale document: exit $status"; cat "$d/stderr" >&2
      fi
      # The diff printed is a patch from the document to the corrected one.
      if patch -s -o "$d/patched" "$d/a/$name" < "$d/diff" && cmp -s "$d/patched" "$d/expected"; then
        pass "$name: the unified diff applies (patch) and gives the corrected document"
      else
        fail "$name: the printed diff does not give the corrected document"
      fi ;;
  esac

  # Idempotence: the corrected document checks.
  cp "$d/expected" "$d/b/$name"
  # shellcheck disable=SC2086
  if "$tool" $TOOL_ARGS "$d/b/$name" > "$d/diff2" && [ ! -e "$d/b/$name.corrected" ]; then
    pass "$name: the corrected document checks (idempotence)"
  else
    fail "$name: the corrected document does not check:"; cat "$d/diff2" >&2
  fi

  # --promote rewrites the document the same way.
  cp "$src" "$d/c/$name"
  # shellcheck disable=SC2086
  "$tool" $TOOL_ARGS --promote "$d/c/$name" > /dev/null 2>&1 || true
  cmp -s "$d/expected" "$d/c/$name" && [ ! -e "$d/c/$name.corrected" ] &&
    pass "$name: --promote rewrites it" || fail "$name: --promote differs"
}

for doc in "$here"/docs/*; do check_doc "$doc"; done

# Documents of mdx's conventions: shell blocks, file=/part=, labels, with
# their files next to them.
export MDX_TEST_UNSET=set
SUPPORT_DIR=$here/mdx
for doc in "$here"/mdx/*.md; do
  case $doc in */preludes.md) continue ;; esac
  check_doc "$doc"
done
SUPPORT_DIR=""

# `ocamljit-doc test FILE` as `ocaml-mdx test FILE`: FILE.corrected when it
# differs, exit 0; none (and an old one removed) when it does not.
m=$work/mdx-test
mkdir -p "$m" && cp -R "$here"/mdx/. "$m/"
for doc in shell include labels; do
  status=0
  "$tool" test "$m/$doc.md" > "$m/out" 2>&1 || status=$?
  [ $status = 0 ] && cmp -s "$m/$doc.md.corrected" "$here/mdx/$doc.md.expected" && [ ! -s "$m/out" ] &&
    pass "test $doc.md: exit 0, $doc.md.corrected as expected" || fail "test $doc.md: exit $status"
  cp "$here/mdx/$doc.md.expected" "$m/$doc.md"
  status=0
  "$tool" test "$m/$doc.md" > "$m/out" 2>&1 || status=$?
  [ $status = 0 ] && [ ! -e "$m/$doc.md.corrected" ] && pass "test on a correct $doc.md: no .corrected left" ||
    fail "test on a correct $doc.md: exit $status"
  "$tool" test --force-output "$m/$doc.md" && cmp -s "$m/$doc.md" "$m/$doc.md.corrected" &&
    pass "test --force-output $doc.md writes $doc.md.corrected" || fail "test --force-output $doc.md"
done
"$tool" test -o - "$here/mdx/labels.md" | cmp -s - "$here/mdx/labels.md.expected" &&
  pass "test -o - writes the corrected document on stdout" || fail "test -o -"
"$tool" test --output "$m/out.md" "$here/mdx/labels.md" && cmp -s "$m/out.md" "$here/mdx/labels.md.expected" &&
  pass "test --output FILE" || fail "test --output FILE"
# --section: only the blocks under a matching heading run.
"$tool" test --section '^Section B$' -o "$m/section.md" "$here/mdx/labels.md"
[ "$(diff "$here/mdx/labels.md" "$m/section.md" | grep -c '^>')" = 2 ] &&
  grep -q '^- : int = 42$' "$m/section.md" && ! grep -q '^val x : int = 1$' "$m/section.md" &&
  pass "test --section runs only that section's blocks" || fail "test --section"
# Preludes: everywhere or in one environment, from files or strings.
"$tool" test --prelude "$here/mdx/prelude_all.ml" --prelude "e1:$here/mdx/prelude_e1.ml" \
  -o - "$here/mdx/preludes.md" | cmp -s - "$here/mdx/preludes.md.expected" &&
  pass "test --prelude FILE --prelude ENV:FILE" || fail "test --prelude"
"$tool" test --prelude-str 'let greeting = "hello"' --prelude-str 'e1:let answer = 42' \
  -o - "$here/mdx/preludes.md" | cmp -s - "$here/mdx/preludes.md.expected" &&
  pass "test --prelude-str TEXT --prelude-str ENV:TEXT" || fail "test --prelude-str"
status=0
"$tool" test --prelude "$here/mdx/prelude_all.ml" --prelude-str 'let x = 1' -o - "$here/mdx/preludes.md" \
  > /dev/null 2> "$m/err" || status=$?
[ $status = 1 ] && grep -q "only one of --prelude or --prelude-str" "$m/err" &&
  pass "test --prelude with --prelude-str: mdx's message, exit 1" || fail "--prelude with --prelude-str: exit $status"
# A prelude that fails: mdx's message, exit 1, nothing written.
status=0
rm -f "$m/preludes.md.corrected"
"$tool" test --prelude-str 'let broken = 1 + "one"' "$m/preludes.md" > /dev/null 2> "$m/err" || status=$?
[ $status = 1 ] && [ "$(head -3 "$m/err")" = "Got an error while evaluating:
---
let broken = 1 + \"one\"" ] && grep -q '^Error: This expression has type string' "$m/err" &&
  [ ! -e "$m/preludes.md.corrected" ] &&
  pass "test with a failing prelude: mdx's message, exit 1" || { fail "failing prelude: exit $status"; cat "$m/err" >&2; }
# Non-deterministic blocks are checked with --non-deterministic or
# MDX_RUN_NON_DETERMINISTIC set, as mdx does.
"$tool" test --non-deterministic -o "$m/nd1.md" "$here/mdx/shell.md" &&
  MDX_RUN_NON_DETERMINISTIC=1 "$tool" test -o "$m/nd2.md" "$here/mdx/shell.md" &&
  ! grep -q '^123$' "$m/nd1.md" && ! grep -q '^123$' "$m/nd2.md" &&
  [ "$(grep -A1 '^\$ exit 1$' "$m/nd1.md" | tail -1)" = "[1]" ] &&
  [ "$(grep -A1 '^\$ exit 1$' "$m/nd2.md" | tail -1)" = "[1]" ] &&
  pass "non-deterministic blocks checked with --non-deterministic / MDX_RUN_NON_DETERMINISTIC" ||
  fail "--non-deterministic / MDX_RUN_NON_DETERMINISTIC"
# ocaml-mdx deps: what dune's rule reads (a canonical S-expression).
[ "$("$tool" deps "$here/mdx/include.md")" = "((4:file7:code.ml)(4:file9:legacy.ml)(4:file8:data.txt))" ] &&
  [ "$("$tool" deps "$here/mdx/shell.md")" = "((3:dir3:sub))" ] && [ "$("$tool" deps "$here/docs/correct.md")" = "()" ] &&
  pass "deps lists dir= and file= as (dir D) and (file F)" || fail "deps"
# Bad input in test mode: mdx's messages, exit 1, nothing written.
mdx_bad() {
  name=$1 expected=$2
  b=$work/mdx-bad
  rm -rf "$b" && mkdir -p "$b" && cp "$here"/mdx-bad/* "$b/"
  status=0
  (cd "$b" && "$tool" test "$name" > out 2> err) || status=$?
  if [ $status = 1 ] && [ "$(cat "$b/err")" = "$expected" ] && [ ! -e "$b/$name.corrected" ]; then
    pass "test $name: $(head -1 "$b/err")"
  else
    fail "test $name: exit $status, $(cat "$b/err")"
  fi
}
mdx_bad part_not_found.md 'File "part_not_found.md", line 3, column 0: Error in the OCaml file include code block
Cannot find part "part1" in ./parts.ml'
mdx_bad part_not_ended.md 'File "part_not_ended.md", line 1, column 0: Error in the OCaml file include code block
In file ./not_ended.ml, line 3: Part toto has no end.'
mdx_bad file_not_found.md 'File "file_not_found.md", line 3, column 0: Error in the OCaml file include code block
./not_found.ml: No such file or directory'
mdx_bad invalid_label.md '[mdx] Fatal error: File "invalid_label.md", lines 4-6: invalid code block: `pif` is not a valid label.'

# The benchmark generator's document, small.
sh "$here/gen_bench_doc.sh" 50 > "$work/generated_50.md"
check_doc "$work/generated_50.md"

# A prelude, evaluated in every environment.
TOOL_ARGS="--prelude $here/prelude/prelude.ml"
check_doc "$here/prelude/uses_prelude.md"

# A library documented in its .mli, loaded with -I DIR --load lib.cmxs
# (the oracle loads the bytecode version of the same library).
lib=$work/lib
mkdir -p "$lib"
cp "$here/lib/mylib.ml" "$here/lib/mylib.mli" "$lib/"
(cd "$lib" && ocamlfind ocamlopt -c mylib.mli && ocamlfind ocamlopt -shared -o mylib.cmxs mylib.ml &&
   ocamlfind ocamlc -c mylib.ml && ocamlfind ocamlc -a -o mylib.cma mylib.cmo)
TOOL_ARGS="-I $lib --load $lib/mylib.cmxs"
OCAML_ARGS="-I $lib $lib/mylib.cma"
check_doc "$here/lib/mylib.mli"
TOOL_ARGS=""
OCAML_ARGS=""

# The oracle: the bytecode toplevel, made by ocamlmktop so that the script's
# first phrase can reach its compiler-libs and frame the answers as
# ocamljit-doc does (`ocaml` itself keeps them private).
ocamlmktop -o "$work/ocaml-oracle"

# The dune workflow of the README: `dune runtest` fails with the diff,
# `dune promote` accepts it, then `dune runtest` passes.
mkdir -p "$work/dune/src"
cp "$here/dune_workflow/dune" "$here/dune_workflow/dune-project" "$here/dune_workflow/README.md" "$work/dune/"
cp "$here/dune_workflow/src/dune" "$here/lib/mylib.ml" "$here/lib/mylib.mli" "$work/dune/src/"
mkdir -p "$work/bin" && ln -s "$tool" "$work/bin/ocamljit-doc"
if (cd "$work/dune" && export PATH="$work/bin:$PATH" &&
    ! dune runtest --root . > runtest.out 2>&1 && grep -q "^+- : string option = Some" runtest.out &&
    dune promote --root . > /dev/null 2>&1 && dune runtest --root . > /dev/null 2>&1 &&
    grep -q "^- : string option = Some" README.md); then
  pass "dune runtest shows the diff, dune promote accepts it"
else
  fail "the dune workflow"; cat "$work/dune/runtest.out" >&2 || true
fi

# dune's (mdx) stanza, `(using mdx 0.1)`, with the installed `ocaml-mdx`
# first on PATH: `dune runtest` shows the diff, `dune promote` accepts it.
mkdir -p "$work/dune_mdx" "$work/mdx-bin"
cp "$here"/dune_mdx/dune "$here"/dune_mdx/dune-project "$here"/dune_mdx/README.md \
   "$here"/dune_mdx/prelude.ml "$here"/dune_mdx/code.ml "$work/dune_mdx/"
ln -s "$ocaml_mdx" "$work/mdx-bin/ocaml-mdx"
if (cd "$work/dune_mdx" && export PATH="$work/mdx-bin:$PATH" &&
    ! dune runtest --root . > runtest.out 2>&1 && grep -q '^+- : string = "hello"' runtest.out &&
    grep -q "ocaml-mdx test --prelude prelude.ml -o .mdx/README.md.corrected README.md" _build/log &&
    dune promote --root . > /dev/null 2>&1 && dune runtest --root . > /dev/null 2>&1 &&
    cmp -s README.md "$here/dune_mdx/README.md.expected"); then
  pass "dune (mdx) stanza runs the installed ocaml-mdx: runtest shows the diff, promote accepts it"
else
  fail "dune (mdx) stanza"; cat "$work/dune_mdx/runtest.out" >&2 || true
fi

# Several files: the worst status wins.
mkdir -p "$work/multi"
cp "$here/docs/correct.md" "$here/docs/stale.md" "$work/multi/"
status=0
"$tool" "$work/multi/correct.md" "$work/multi/stale.md" > /dev/null || status=$?
[ $status = 1 ] && [ -e "$work/multi/stale.md.corrected" ] && [ ! -e "$work/multi/correct.md.corrected" ] &&
  pass "two files, one stale: exit 1" || fail "two files, one stale: exit $status"

# A failing plain block: FILE:LINE and exit 1.
mkdir -p "$work/failing"
cp "$here/failing/plain_fails.md" "$work/failing/"
status=0
"$tool" "$work/failing/plain_fails.md" > /dev/null 2> "$work/failing/stderr" || status=$?
[ $status = 1 ] && grep -q "^$work/failing/plain_fails.md:3: " "$work/failing/stderr" &&
  pass "a failing plain block: FILE:LINE and exit 1" || fail "failing plain block: exit $status"

# A phrase calling exit: a message and exit 2, nothing written.
cp "$here/failing/calls_exit.md" "$work/failing/"
status=0
"$tool" "$work/failing/calls_exit.md" > /dev/null 2> "$work/failing/stderr" || status=$?
[ $status = 2 ] && grep -q "called exit" "$work/failing/stderr" && [ ! -e "$work/failing/calls_exit.md.corrected" ] &&
  pass "a phrase calling exit: exit 2" || fail "a phrase calling exit: exit $status"

# Bad input: FILE:LINE, exit 2, nothing written.
bad() {
  name=$1 line=$2
  mkdir -p "$work/bad"
  cp "$here/bad/$name" "$work/bad/$name"
  for mode in "" "--promote" "--output $work/bad/out.$name"; do
    status=0
    # shellcheck disable=SC2086
    "$tool" $mode "$work/bad/$name" > /dev/null 2> "$work/bad/stderr" || status=$?
    if [ $status = 2 ] && grep -q "^$work/bad/$name:$line: " "$work/bad/stderr" &&
       cmp -s "$here/bad/$name" "$work/bad/$name" && [ ! -e "$work/bad/$name.corrected" ] &&
       [ ! -e "$work/bad/out.$name" ]; then
      pass "bad input $name ${mode%% *}: $(head -1 "$work/bad/stderr" | sed "s|$work/bad/||")"
    else
      fail "bad input $name ${mode%% *}: exit $status, $(cat "$work/bad/stderr")"
    fi
  done
}
bad bad_label.md 2
bad unknown_label.md 1
bad label_no_block.md 4
bad label_unclosed.md 2
bad unclosed_block.mli 3
bad unclosed_comment.mli 2
bad bad_odoc_label.mli 2

# Lwt: top-level promises run with Lwt_main.run once lwt is loaded (mdx's
# documented behaviour and its test expectations); lwt.unix and #thread
# without #use "topfind". Each document runs in its own process (packages
# stay loaded).
l=$work/lwt
mkdir -p "$l" && cp "$here"/lwt/*.md "$l/"
"$tool" test -o - "$l/autorun.md" | cmp -s - "$here/lwt/autorun.md.expected" &&
  pass "lwt: promises at top level run, as mdx records them" ||
  { fail "lwt: autorun.md differs:"; "$tool" test -o - "$l/autorun.md" | diff -u "$here/lwt/autorun.md.expected" - >&2 || true; }
cp "$here/lwt/autorun.md.expected" "$l/autorun.md"
for doc in autorun unix thread; do
  status=0
  "$tool" "$l/$doc.md" > "$l/out" 2>&1 || status=$?
  [ $status = 0 ] && pass "lwt: $doc.md checks (exit 0)" || { fail "lwt: $doc.md: exit $status"; cat "$l/out" >&2; }
done

# Cram files (.t, mdx's --syntax cram): indented commands, no fences.
c=$work/cram
mkdir -p "$c" && cp "$here"/cram/run.t "$here"/cram/run.t.expected "$c/"
"$tool" test -o - "$c/run.t" | cmp -s - "$here/cram/run.t.expected" &&
  pass "cram: a .t file corrected as mdx records it" ||
  { fail "cram: run.t differs:"; "$tool" test -o - "$c/run.t" | diff -u "$here/cram/run.t.expected" - >&2 || true; }
cp "$c/run.t" "$c/run.txt"
"$tool" test --syntax cram -o - "$c/run.txt" | cmp -s - "$here/cram/run.t.expected" &&
  pass "cram: --syntax cram" || fail "cram: --syntax cram"
cp "$here/cram/run.t.expected" "$c/ok.t"
status=0
"$tool" "$c/ok.t" > /dev/null 2>&1 || status=$?
[ $status = 0 ] && [ ! -e "$c/ok.t.corrected" ] && pass "cram: a correct .t file checks (exit 0)" ||
  fail "cram: correct .t: exit $status"

# Shell blocks in doc comments ({@sh[ ... ]}, {@sh LABELS[ ... ]}).
o=$work/odoc
mkdir -p "$o" && cp "$here"/odoc/shell.mli "$o/"
"$tool" test -o - "$o/shell.mli" | cmp -s - "$here/odoc/shell.mli.expected" &&
  pass "odoc: shell blocks in a doc comment run, as mdx records them" ||
  { fail "odoc: shell.mli differs:"; "$tool" test -o - "$o/shell.mli" | diff -u "$here/odoc/shell.mli.expected" - >&2 || true; }
cp "$here/odoc/shell.mli.expected" "$o/ok.mli"
status=0
"$tool" "$o/ok.mli" > /dev/null 2>&1 || status=$?
[ $status = 0 ] && pass "odoc: a correct shell.mli checks (exit 0)" || fail "odoc: correct shell.mli: exit $status"

usage() {
  expected=$1; shift
  status=0
  "$tool" "$@" > /dev/null 2> "$work/usage.err" || status=$?
  [ $status = "$expected" ] && pass "ocamljit-doc $*: exit $expected" ||
    fail "ocamljit-doc $*: exit $status, expected $expected"
}
usage 2
usage 2 --frobnicate "$here/docs/correct.md"
usage 2 --output - "$here/docs/correct.md" "$here/docs/stale.md"
usage 2 --output - --promote "$here/docs/correct.md"
usage 2 "$work/does-not-exist.md"
usage 2 "$work"
usage 2 --load "$work/does-not-exist.cmxs" "$here/docs/correct.md"
usage 2 --prelude "$work/does-not-exist.ml" "$here/docs/correct.md"
usage 2 --load
usage 0 --help
usage 0 --version
# Under `test`/`deps`, bad usage exits as mdx's command line does.
usage 124 test
usage 124 test --frobnicate "$here/docs/correct.md"
usage 124 deps "$here/docs/correct.md" "$here/docs/stale.md"
usage 1 test "$work/does-not-exist.md"

if [ $failures -gt 0 ]; then
  echo "ocamljit-doc tests: $failures failure(s)" >&2
  exit 1
fi
echo "ocamljit-doc tests: all passed"
