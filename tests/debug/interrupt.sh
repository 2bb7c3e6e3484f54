#!/bin/sh
# Ctrl-C (SIGINT) while a phrase runs: the toplevel prints "Interrupted."
# and reads the next phrase, as `ocaml` does. The loop allocates: OCaml
# 4.13 native code only notices signals at allocations and calls.
# usage: interrupt.sh OCAMLJIT
set -eu
OCAMLJIT=$1
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
mkfifo "$d/in"
"$OCAMLJIT" -noprompt -noinit < "$d/in" > "$d/out" 2>&1 &
pid=$!
exec 3> "$d/in"
cat >&3 <<'ML'
let rec spin n = if n < 0 then n else (ignore (Sys.opaque_identity (ref n)); spin (n + 1));;
print_endline "spinning"; spin 0;;
ML
i=0
until grep -q spinning "$d/out"; do
  i=$((i + 1)); [ "$i" -lt 600 ] || { echo "the phrase never started"; kill -9 "$pid"; exit 1; }
  sleep 0.1
done
sleep 0.2
kill -INT "$pid"
cat >&3 <<'ML'
let after = 6 * 7;;
ML
exec 3>&-
i=0
while kill -0 "$pid" 2>/dev/null; do
  i=$((i + 1)); [ "$i" -lt 600 ] || { echo "the toplevel did not stop after SIGINT"; kill -9 "$pid"; cat "$d/out"; exit 1; }
  sleep 0.1
done
status=0; wait "$pid" || status=$?
grep -v -e 'OCaml version' -e '^$' "$d/out" > "$d/got"
cat "$d/got"
printf 'val spin : int -> int = <fun>\nspinning\nInterrupted.\nval after : int = 42\n' > "$d/expected"
[ "$status" -eq 0 ] || { echo "exit status $status"; exit 1; }
diff -u "$d/expected" "$d/got"
