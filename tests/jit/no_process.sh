#!/bin/sh
# A 100-phrase session with the in-process assembler creates no process:
# strace -f sees one execve (ocamljit itself) and no fork, vfork or clone.
set -u
ocamljit=$1
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
awk 'BEGIN { for (i = 0; i < 100; i++)
  printf "let v%d = List.length (List.init %d (fun k -> k * %d));;\n", i, i, i }' > "$tmp/phrases.ml"
OCAMLJIT_LOADER=jit OCAMLJIT_JIT_OBJECTS=internal strace -f -qq -o "$tmp/trace" \
  -e trace=execve,execveat,vfork,fork,clone,clone3 "$ocamljit" -noprompt < "$tmp/phrases.ml" > "$tmp/out" 2>&1 || {
  echo "jit: no-process test: ocamljit or strace failed:"; cat "$tmp/out" "$tmp/trace"; exit 1; }
[ "$(grep -c '^val v' "$tmp/out")" = 100 ] || { echo "jit: no-process test: phrases failed:"; cat "$tmp/out"; exit 1; }
execs=$(grep -c 'execve' "$tmp/trace")
forks=$(grep -cE '(^|[^a-z_])(vfork|fork|clone|clone3)\(' "$tmp/trace")
if [ "$execs" != 1 ] || [ "$forks" != 0 ]; then
  echo "jit: no-process test: $execs execve, $forks fork/clone (expected 1 and 0):"; cat "$tmp/trace"; exit 1
fi
echo "jit: 100 phrases under strace -f: 1 execve, no fork/vfork/clone"
