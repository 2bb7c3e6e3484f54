#!/bin/sh
# A phrase that evaluates phrases (Toploop.execute_phrase) in the ocamljit
# command: the outer phrase's unit must stay known to the compiler, so no
# "Warning 58 ... no cmx file was found in path for module TOPn" afterwards,
# and the values of both phrases are usable.
set -eu
ocamljit=$1
# Warning 58 is silenced by default (for library modules without .cmx): turn it on.
out=$(printf '%s\n' \
  '#warnings "+58";;' \
  'let r = ignore (Toploop.execute_phrase true Format.std_formatter (!Toploop.parse_toplevel_phrase (Lexing.from_string "let inner = 3;;"))); 5;;' \
  'r + inner;;' | "$ocamljit" -noprompt -noinit -I +compiler-libs 2>&1)
if printf '%s\n' "$out" | grep -q 'for module TOP'; then
  printf 'nested.sh: spurious warning 58 for a phrase unit:\n%s\n' "$out" >&2
  exit 1
fi
printf '%s\n' "$out" | grep -qx -- '- : int = 8' || { printf 'nested.sh: unexpected output:\n%s\n' "$out" >&2; exit 1; }
echo "nested.sh: ok"
