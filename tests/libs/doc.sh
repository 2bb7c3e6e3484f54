#!/bin/sh
# ocamljit-doc and libraries: #require without #use "topfind", and
# --package P (repeatable) preloading packages.
# usage: doc.sh OCAMLJIT_DOC
set -u
doc=$1; dir=$(dirname "$0")/doc
status=0
check() { name=$1; shift
  if out=$("$doc" "$@" 2>&1); then echo "doc: $name: ok"
  else echo "doc: $name: failed:"; printf '%s\n' "$out" | head -30; status=1; fi; }
check "#require without topfind" "$dir/require.md"
check "--package base --package re" --package base --package re "$dir/package.md"
# Without --package the same document must fail (the test can fail).
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cp "$dir/package.md" "$tmp/"
if "$doc" "$tmp/package.md" > /dev/null 2>&1; then
  echo "doc: package.md passes without --package"; status=1
else echo "doc: package.md fails without --package: ok"; fi
exit $status
