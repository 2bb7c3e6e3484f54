#!/bin/sh
# Failed library loads: one clear message, the session goes on, and nothing
# of the failed library is reachable afterwards (a later phrase naming its
# module gets "Reference to undefined global", never a crash). The libraries
# are built here with ocamlopt (test setup; ocamljit itself runs no tool).
# usage: failures.sh OCAMLJIT
set -u
ocamljit=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
status=0
fail() { echo "failures: $*"; status=1; }

# session NAME INPUT EXPECTED...: runs INPUT, checks each EXPECTED line is in
# the output, that the final "42;;" still answers, and that nothing crashed.
session() {
  name=$1; input=$2; shift 2
  # shellcheck disable=SC2086  # $loader_env is empty or one word
  out=$(cd "$tmp" && printf '%s42;;\n' "$input" | env $loader_env "$ocamljit" -noprompt -noinit 2>&1); rc=$?
  ok=1
  for want in "$@"; do
    printf '%s\n' "$out" | grep -qF -- "$want" || { fail "$name: missing \"$want\""; ok=0; }
  done
  printf '%s\n' "$out" | grep -qF -- "- : int = 42" || { fail "$name: the session did not go on"; ok=0; }
  [ $rc -eq 0 ] || { fail "$name: exit status $rc"; ok=0; }
  [ $ok -eq 1 ] && echo "failures: $name: ok" || printf '%s\n' "$out" | sed 's/^/  | /'
}

loader_env=""
cd "$tmp" || exit 2
# A library compiled against an interface named Toploop that is not the
# toplevel's (the shape of the findlib_top mismatch).
mkdir fake && (cd fake &&
  echo 'val answer : int' > toploop.mli && ocamlopt -c toploop.mli &&
  echo 'let y = Toploop.answer + 1' > fake.ml && ocamlopt -w -58 -c fake.ml &&
  ocamlopt -a -o fake.cmxa fake.cmx) || fail "setup fake"
# A good library, then copies of it broken in various ways.
mkdir good && (cd good &&
  echo 'let v = List.length [1; 2; 3]' > goodlib.ml &&
  ocamlopt -c goodlib.ml && ocamlopt -a -o goodlib.cmxa goodlib.cmx) || fail "setup good"
mkdir noa && cp good/goodlib.cmxa good/goodlib.cmi noa/
mkdir corrupta && cp good/goodlib.cmxa good/goodlib.cmi corrupta/ &&
  head -c 3000 /dev/urandom > corrupta/goodlib.a
mkdir truncated && cp good/goodlib.cmi good/goodlib.a truncated/ &&
  head -c 40 good/goodlib.cmxa > truncated/goodlib.cmxa
mkdir garbage && cp good/goodlib.cmi good/goodlib.a garbage/ &&
  head -c 500 /dev/urandom > garbage/goodlib.cmxa
mkdir noo && cp good/goodlib.cmi good/goodlib.cmx noo/
# A unit whose initialisation calls a C primitive the process lacks.
mkdir undef && (cd undef &&
  printf 'external missing : unit -> int = "ocamljit_test_no_such_primitive"\nlet w = missing ()\n' > undeflib.ml &&
  ocamlopt -c undeflib.ml && ocamlopt -a -o undeflib.cmxa undeflib.cmx) || fail "setup undef"
# C stubs: one archive names a library that does not exist, one has a stub
# calling a C function nobody defines.
mkdir cstubs && (cd cstubs &&
  printf 'external f : unit -> int = "ocamljit_test_stub"\nlet x = f ()\n' > stubbed.ml &&
  printf '#include <caml/mlvalues.h>\nextern int ocamljit_test_nowhere(void);\nvalue ocamljit_test_stub(value u) { (void)u; return Val_int(ocamljit_test_nowhere()); }\n' > stub.c &&
  ocamlopt -c stub.c && ar rc libstubbed_stubs.a stub.o &&
  ocamlopt -c stubbed.ml &&
  ocamlopt -a -o stubbed.cmxa stubbed.cmx -cclib -lstubbed_stubs &&
  ocamlopt -a -o nolib.cmxa stubbed.cmx -cclib -lnosuch_ocamljit_test_lib) || fail "setup cstubs"
# A unit whose initialisation raises.
mkdir raises && (cd raises &&
  echo 'let z = failwith "init failed"' > raiseslib.ml &&
  ocamlopt -c raiseslib.ml && ocamlopt -a -o raiseslib.cmxa raiseslib.cmx) || fail "setup raises"

# Cases run through both loaders (PREFIX names the loader in the output).
shared_cases() {
  p=$1
  session "${p}good library (control)" '#directory "good";;
#load "goodlib.cmxa";;
Goodlib.v;;
#load "goodlib.cmxa";;
Goodlib.v;;
' "- : int = 3"
  session "${p}truncated .cmxa" '#load "truncated/goodlib.cmxa";;
' "Error while loading" "truncated/goodlib.cmxa: corrupted"
  session "${p}random bytes as .cmxa" '#load "garbage/goodlib.cmxa";;
' "Error while loading" "garbage/goodlib.cmxa"
  session "${p}missing C library" '#directory "cstubs";;
#load "nolib.cmxa";;
Stubbed.x;;
' "Error while loading" "nosuch_ocamljit_test_lib" "Reference to undefined global \`Stubbed'"
  session "${p}initialisation raises" '#directory "raises";;
#load "raiseslib.cmxa";;
' 'Exception: Failure "init failed".'
  session "${p}missing file" '#load "nosuch.cmxa";;
' "Cannot find file nosuch.cmxa."
}
shared_cases ""
session "interface mismatch" '#load "fake/fake.cmxa";;
Fake.y;;
' "fake/fake.cmxa: interface mismatch on Toploop" "Error:"
session "missing .a" '#directory "noa";;
#load "goodlib.cmxa";;
Goodlib.v;;
' "noa/goodlib.cmxa: cannot find" "Reference to undefined global \`Goodlib'"
session "corrupt .a" '#directory "corrupta";;
#load "goodlib.cmxa";;
Goodlib.v;;
' "Error while loading" "corrupta/goodlib.a" "Reference to undefined global \`Goodlib'"
session ".cmx without its .o" '#directory "noo";;
#load "goodlib.cmx";;
Goodlib.v;;
' "noo/goodlib.o" "Reference to undefined global \`Goodlib'"
session "C stub calling an undefined function" '#directory "cstubs";;
#load "stubbed.cmxa";;
Stubbed.x;;
' "Error while loading" "ocamljit_test_nowhere" "Reference to undefined global \`Stubbed'"
session "undefined C symbol" '#directory "undef";;
#load "undeflib.cmxa";;
Undeflib.w;;
' "ocamljit_test_no_such_primitive" "Reference to undefined global \`Undeflib'"
session "missing package" '#use "topfind";;
#require "nosuch_package_xyz";;
' "No such package: nosuch_package_xyz"
# The issue's reproduction (it used to end in SIGSEGV), and findlib_top
# without findlib: its unit cannot link, Topfind stays undefined.
session "findlib_top, issue 9 reproduction" '#directory "/usr/lib/ocaml/findlib";;
#load "findlib.cmxs";;
#load "findlib_top.cmxs";;
Topfind.add_predicates ["x"];;
' "- : unit = ()"
session "findlib_top without findlib" '#directory "/usr/lib/ocaml/findlib";;
#load "findlib_top.cmxs";;
Topfind.add_predicates ["x"];;
' "Error while loading /usr/lib/ocaml/findlib/findlib_top.cmxs: no implementation available for" "Reference to undefined global \`Topfind'"

# The external loader (as + gcc -shared + dlopen, as stock ocamlnat) on the
# same kinds of bad input: it links a .cmxa into a .cmxs with the system
# tools, so its failures come from other places.
loader_env=OCAMLJIT_LOADER=external
shared_cases "external: "
exit $status
