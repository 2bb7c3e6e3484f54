#!/bin/sh
# ocamljit-doc on the project's toplevel corpus (tests/corpus/*.ml), each
# file turned into a Markdown toplevel block (one `# ` phrase per `;;`):
# the corrected document must be the one made from `ocaml`'s outputs.
# Files listed in tests/doc/corpus-known-failures.txt must differ (the list
# only shrinks). Usage: tests/doc/corpus.sh PATH/TO/ocamljit-doc
set -eu
tool=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
here=$(cd "$(dirname "$0")" && pwd)
corpus=$here/../corpus
known=$here/corpus-known-failures.txt
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The oracle: the bytecode toplevel made by ocamlmktop, whose compiler-libs the
# phrases script reaches to frame answers (see tests/doc/run.sh).
ocamlmktop -o "$work/ocaml-oracle"
failures=0
for src in "$corpus"/*.ml; do
  name=$(basename "$src" .ml)
  doc=$work/$name.md
  awk 'BEGIN { print "```ocaml"; start = 1 }
       /^[ \t]*$/ { next }
       { print (start ? "# " : "  ") $0; start = ($0 ~ /;;[ \t]*$/) }
       END { print "```" }' "$src" > "$doc"
  "$tool" --phrases-script "" "$doc" | "$work/ocaml-oracle" -noprompt -noinit > "$doc.recording" 2>&1 || true
  "$tool" --replay "$doc.recording" --output "$doc.expected" "$doc"
  "$tool" --output "$doc.actual" "$doc" 2> /dev/null || true
  listed=no
  grep -q "^$name.ml " "$known" && listed=yes
  if cmp -s "$doc.expected" "$doc.actual"; then
    if [ $listed = yes ]; then
      echo "FAIL: corpus $name.ml now agrees: remove it from $known" >&2; failures=$((failures + 1))
    else
      echo "ok: corpus $name.ml: every output agrees with ocaml"
    fi
  elif [ $listed = yes ]; then
    echo "ok: corpus $name.ml: known difference ($(grep "^$name.ml " "$known" | cut -d' ' -f2-))"
  else
    echo "FAIL: corpus $name.ml differs from ocaml:" >&2
    diff -u "$doc.expected" "$doc.actual" >&2 || true
    failures=$((failures + 1))
  fi
done
[ $failures = 0 ] || { echo "ocamljit-doc corpus: $failures failure(s)" >&2; exit 1; }
echo "ocamljit-doc corpus: all passed"
