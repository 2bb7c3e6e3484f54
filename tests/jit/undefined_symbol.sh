#!/bin/sh
# A phrase that needs a primitive nobody defines fails with the bytecode
# toplevel's message; the session goes on with its earlier definitions.
# (ocaml reports it when `foo` is used, the native unit when `foo` is
# declared: its closure refers to the primitive.)
set -u
ocamljit=$1
out=$(printf '%s\n' 'let x = 41;;' 'external foo : int -> int = "no_such_prim";;' 'foo 1;;' \
  'let y = x + 1;;' | OCAMLJIT_LOADER=jit "$ocamljit" -noprompt 2>&1)
expected_tail=$(printf '%s\n' 'let x = 41;;' 'external foo : int -> int = "no_such_prim";;' 'foo 1;;' \
  'let y = x + 1;;' | ocaml -noprompt 2>&1 | grep -v '^$' | tail -1)
echo "$out" | grep -q "Error: The external function \`no_such_prim' is not available" || {
  echo "jit: undefined symbol: no clear message:"; echo "$out"; exit 1; }
[ "$(echo "$out" | grep -v '^$' | tail -1)" = "$expected_tail" ] || {
  echo "jit: undefined symbol: the session did not go on:"; echo "$out"; exit 1; }
echo "jit: undefined symbol: clear message, session continues"
