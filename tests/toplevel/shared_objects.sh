#!/bin/sh
# #load of a .cmxs with no .cmxa beside it: the system's dynamic loader opens
# it and the runtime's natdynlink primitives run it (src/toplevel/external_loader.ml,
# no Dynlink), under both loaders. Checks: a library and one that uses it run
# in order; loading one twice, a missing dependency (the dynamic loader
# reports it, as under Dynlink), an interface mismatch and
# an initialisation that raises are reported and the session goes on.
# Usage: tests/toplevel/shared_objects.sh path/to/ocamljit
set -u
ocamljit=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
mkdir v1 v2
printf 'let name = "base"\nlet () = print_endline "base: init"\n' > v1/base.ml
# Same code, one more value: another interface.
printf 'let name = "base"\nlet () = print_endline "base: init"\nlet extra = 1\n' > v2/base.ml
printf 'let greet who = Base.name ^ " greets " ^ who\nlet () = print_endline "user: init"\n' > v1/user.ml
printf 'let () = failwith "boom in init"\n' > v1/raiser.ml
(cd v1 && ocamlfind ocamlopt -shared -o base.cmxs base.ml && ocamlfind ocamlopt -shared -o user.cmxs user.ml &&
  ocamlfind ocamlopt -shared -o raiser.cmxs raiser.ml) || exit 1
(cd v2 && ocamlfind ocamlopt -shared -o base.cmxs base.ml) || exit 1
status=0
expect() { # NAME FILE TEXT: FILE contains TEXT
  if grep -qF -- "$3" "$2"; then echo "shared objects: $1: ok"
  else echo "shared objects: $1: FAIL (no \"$3\" in:)"; cat "$2"; status=1; fi
}
for loader in external jit; do
  printf '%s\n' '#directory "v1";;' '#load "v1/user.cmxs";;' '#load "v1/base.cmxs";;' '#load "v1/user.cmxs";;' \
    'User.greet "you";;' '#load "v1/base.cmxs";;' '#load "v1/raiser.cmxs";;' '1 + 1;;' \
    | OCAMLJIT_LOADER=$loader "$ocamljit" -noprompt -noinit > $loader.out 2>&1
  expect "$loader: missing dependency" $loader.out "undefined symbol: camlBase"
  expect "$loader: initialisation in order" $loader.out "base: init"
  expect "$loader: the dependent library runs" $loader.out '- : string = "base greets you"'
  expect "$loader: loaded twice" $loader.out "The module \`Base' is already loaded"
  expect "$loader: initialisation raises" $loader.out "boom in init"
  expect "$loader: the session goes on" $loader.out "- : int = 2"
  printf '%s\n' '#load "v2/base.cmxs";;' '#load "v1/user.cmxs";;' '2 + 2;;' \
    | OCAMLJIT_LOADER=$loader "$ocamljit" -noprompt -noinit > $loader-mismatch.out 2>&1
  expect "$loader: interface mismatch" $loader-mismatch.out "mismatch on Base"
  expect "$loader: the session goes on after a mismatch" $loader-mismatch.out "- : int = 4"
done
exit $status
