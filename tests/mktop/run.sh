#!/bin/sh
# ocamljit-mktop end to end (issue 11), from an installed prefix and from a
# directory outside the source tree:
#  - a toplevel built with -package base,zarith evaluates phrases using both
#    with no #require: same output as `ocaml` + topfind + #require;
#  - the same toplevel, a toplevel with a user's module, and the installed
#    ocamljit on the project corpus, with /usr/lib/ocaml an empty tmpfs and
#    as/ld/gcc/cc unusable (mount namespace): same outputs;
#  - -no-embed all: the hidden run fails (the hiding is real), the size drops;
#    -no-embed zarith: only zarith's interfaces are missing;
#  - damaged embedded interfaces: clear errors, the session goes on;
#  - #use "topfind" + #require of a linked package loads nothing again;
#  - mytop's REPL and that of a toplevel with lwt.unix (a library of the line
#    editor's) in a terminal, hidden: the packed editor loads, Tab completes;
#  - bad input: unknown package, missing file, non-object, missing C stubs:
#    non-zero exit, the culprit named, no executable left behind.
# Usage: run.sh PREFIX WORKDIR
set -u
prefix=$(cd "$1" && pwd)
work=$2
here=$(cd "$(dirname "$0")" && pwd)
corpus=$(cd "$here/../corpus" && pwd)
rm -rf "$work" && mkdir -p "$work/home" && work=$(cd "$work" && pwd)
export HOME="$work/home"
unset OCAMLTOP_INCLUDE_PATH OCAMLPARAM OCAML_COLOR OCAML_ERROR_STYLE
# Base turns backtraces on unless OCAMLRUNPARAM is set; a backtrace names the
# bytecode toplevel's own frames, which a native toplevel cannot print.
export OCAMLRUNPARAM=b=0
mktop=$prefix/bin/ocamljit-mktop
status=0
pass() { echo "ok   $*"; }
fail() { echo "FAIL $*"; status=1; }

. "$here/../support/hidden.sh"

# The hidden runs are the point of this test: without a mount namespace, say so and fail.
if ! unshare -m sh -c 'mount -t tmpfs none /usr/lib/ocaml' 2>/dev/null; then
  echo "FAIL cannot hide /usr/lib/ocaml: unshare -m + mount need root (CAP_SYS_ADMIN)"; exit 1
fi

# same NAME FILE1 FILE2
same() {
  if cmp -s "$2" "$3"; then pass "$1 ($(wc -l < "$2") lines)"
  else fail "$1:"; diff "$2" "$3" | head -30; fi
}

cd "$work" || exit 2

# --- a toplevel with base and zarith ---------------------------------------------
if "$mktop" -package base,zarith -o mytop 2>"$work/mktop.err"; then
  pass "ocamljit-mktop -package base,zarith -o mytop ($(stat -c %s mytop) bytes)"
else
  fail "ocamljit-mktop -package base,zarith:"; cat "$work/mktop.err"; exit 1
fi
# The line editor is packed, not linked in: no unit of lambda-term or camomile.
if nm mytop | grep -Eq ' [DT] caml(LTerm|CamomileLibrary[A-Za-z_]*)$'; then
  fail "mytop links the line editor's libraries (they belong in its packed bundle)"
elif nm mytop | grep -q ' ocamljit_repl_bundle_start$'; then pass "mytop: the line editor packed, not linked in"
else fail "mytop has no packed line editor"; fi
# The oracle: ocaml with topfind and #require, its output from the marker on.
cat "$here/require.ml" "$here/base_zarith.ml" | ocaml -noprompt 2>&1 \
  | sed '1,/^- : string = "-- phrases start here --"$/d' > oracle.out
./mytop -noprompt < "$here/base_zarith.ml" 2>&1 | sed 1,2d > mytop.out
# The banner and its blank line aside (checked apart: the phrases' output starts after).
[ -s oracle.out ] || fail "the oracle printed nothing"
same "mytop = ocaml + #require (base, zarith)" oracle.out mytop.out
hidden ./mytop -noprompt < "$here/base_zarith.ml" > mytop.hidden.raw 2>&1
echo "exit $?" >> mytop.hidden.raw
sed 1,2d mytop.hidden.raw > mytop.hidden.out
{ cat oracle.out; echo "exit 0"; } > oracle.exit
same "mytop without /usr/lib/ocaml, as, ld, gcc = ocaml + #require" oracle.exit mytop.hidden.out

# --- the REPL of ocamljit, in a pseudo-terminal (a private tmux server) -----------
# Tab completes from the linked libraries; the line editor is not linked in but
# loaded from the executable's packed copy on a terminal, so this runs with the
# installation hidden; every wait polls with a bound.
tmux_socket=ocamljit-mktop-test-$$ tmux_conf=/dev/null
. "$here/../support/tmux.sh"
on_screen() { pane_wait repl "$1"; }
at_prompt() { pane_at_prompt repl; }
unset TMUX
# A script for tmux to run: the toplevel given, hidden (tests/support/hidden.sh).
cat > hidden-run <<EOF
#!/bin/sh
. "$here/../support/hidden.sh"
hidden "\$@"
EOF
chmod +x hidden-run
# in_terminal TOPLEVEL: starts it, hidden, in the tmux session "repl".
in_terminal() {
  tm new-session -d -s repl -x 120 -y 40 \
     "env TERM=xterm OCAMLJIT_HISTORY= '$work/hidden-run' '$work/$1' -noinit; echo '[$1 ended]'; sleep 60"
}
# phrase TEXT: typed, then ";;" (tmux would take a trailing ";" as its own) and Enter.
phrase() { tm send-keys -t repl -l "$1" && tm send-keys -t repl -H 3b 3b && tm send-keys -t repl Enter; }
if in_terminal mytop; then
  at_prompt && tm send-keys -t repl -l 'Base.List.ma' && tm send-keys -t repl Tab
  # Several candidates are listed; one is completed.
  if on_screen "max_elt" && tm send-keys -t repl -l 'p2_' && tm send-keys -t repl Tab \
     && on_screen "# Base.List.map2_exn" \
     && phrase ' [1] [2] ~f:( + )' && on_screen "- : int Base.List.t = [3]"; then
    at_prompt && tm send-keys -t repl -l 'Z.of_stri' && tm send-keys -t repl Tab
    if on_screen "# Z.of_string"; then pass "mytop in a terminal, hidden: Tab lists Base.List.ma*, completes Base.List.map2_ and Z.of_stri"
    else fail "mytop in a terminal: Z.of_stri not completed:"; tm capture-pane -p -t repl | sed '/^$/d'; fi
  else
    fail "mytop in a terminal: Base.List.ma / map2_ not completed:"; tm capture-pane -p -t repl | sed '/^$/d'
  fi
  tm kill-server 2>/dev/null
else
  fail "cannot start tmux"
fi

# A user's package that the line editor uses too (lwt.unix): linked in the
# executable and also in its packed editor, whose loader then skips it.
if "$mktop" -package lwt.unix -o lwttop 2>"$work/lwttop.err"; then
  if in_terminal lwttop; then
    if at_prompt && tm send-keys -t repl -l 'Lwt_unix.slee' && tm send-keys -t repl Tab \
       && on_screen "# Lwt_unix.sleep" && phrase ' 0.01 |> Lwt_main.run' && on_screen "- : unit = ()" \
       && ! pane_text repl | grep -q "no line editing"; then
      pass "-package lwt.unix, in a terminal, hidden: the editor loads beside the linked lwt, completes Lwt_unix.slee"
    else
      fail "-package lwt.unix in a terminal:"; tm capture-pane -p -t repl | sed '/^$/d'
    fi
    tm kill-server 2>/dev/null
  else
    fail "cannot start tmux"
  fi
else
  fail "ocamljit-mktop -package lwt.unix:"; cat "$work/lwttop.err"
fi

# --- a user's module, compiled and embedded ---------------------------------------
mkdir -p src && cp "$here/lib/greet.mli" "$here/lib/greet.ml" src/
if "$mktop" src/greet.mli src/greet.ml -o greettop 2>"$work/greet.err"; then
  hidden ./greettop -noprompt < "$here/greet_phrases.ml" 2>&1 | sed 1,2d > greet.out
  same "user module, hidden installation" "$here/greet_phrases.expected" greet.out
else
  fail "ocamljit-mktop greet.ml:"; cat "$work/greet.err"
fi

# --- damaged interfaces embedded: clear errors, the session goes on -----------------
mkdir -p damaged
printf 'not a compiled interface\n' > damaged/notcmi.cmi
head -c 300 "$(ocamlfind ocamlopt -where)/stdlib__List.cmi" > damaged/truncated.cmi
if "$mktop" -I damaged -o damagedtop 2>"$work/damaged.err"; then
  printf 'Notcmi.x;;\nTruncated.length;;\n1 + 1;;\n' | hidden ./damagedtop -noprompt > damaged.out 2>&1
  echo "exit $?" >> damaged.out
  if grep -q "(embedded)/notcmi.cmi.*is not a compiled interface" damaged.out \
     && grep -q "Corrupted compiled interface" damaged.out && grep -q "(embedded)/truncated.cmi" damaged.out \
     && grep -q "^- : int = 2$" damaged.out && grep -q "^exit 0$" damaged.out; then
    pass "damaged embedded interfaces: clear errors, the session goes on"
  else
    fail "damaged embedded interfaces:"; cat damaged.out
  fi
else
  fail "ocamljit-mktop -I damaged:"; cat "$work/damaged.err"
fi

# --- -no-embed all: the interfaces stay out, the hidden run cannot type ----------
if "$mktop" -package base,zarith -no-embed all -o thintop 2>"$work/thin.err"; then
  full=$(stat -c %s mytop) thin=$(stat -c %s thintop)
  if [ "$thin" -lt "$full" ]; then pass "-no-embed all: $thin < $full bytes"
  else fail "-no-embed all: $thin bytes, not smaller than $full"; fi
  ./thintop -noprompt < "$here/base_zarith.ml" 2>&1 | sed 1,2d > thin.out
  same "-no-embed all, installation present" oracle.out thin.out
  echo 'Base.List.length [1];;' | hidden ./thintop -noprompt > thin.hidden 2>&1
  if grep -q "Unbound module" thin.hidden; then pass "-no-embed all, hidden: Unbound module (the hiding is real)"
  else fail "-no-embed all, hidden:"; cat thin.hidden; fi
else
  fail "ocamljit-mktop -no-embed all:"; cat "$work/thin.err"
fi

# --- -no-embed PACKAGE: that package's interfaces only stay out --------------------
if "$mktop" -package base,zarith -no-embed zarith -o nozarith 2>"$work/nozarith.err"; then
  printf 'Base.List.length [1; 2];;\nZ.one;;\n' | hidden ./nozarith -noprompt > nozarith.out 2>&1
  if grep -q "^- : int = 2$" nozarith.out && grep -q "Unbound module Z" nozarith.out \
     && [ "$(stat -c %s nozarith)" -lt "$(stat -c %s mytop)" ]; then
    pass "-no-embed zarith: Base typed, Z not, hidden ($(stat -c %s nozarith) bytes)"
  else
    fail "-no-embed zarith:"; cat nozarith.out
  fi
else
  fail "ocamljit-mktop -no-embed zarith:"; cat "$work/nozarith.err"
fi

# --- #require of a linked package loads nothing ----------------------------------
./mytop -noprompt < "$here/require_again.ml" > again.out 2>&1
if grep -q ": loaded$" again.out || ! grep -q "^- : int = 2$" again.out; then
  fail "#require of linked packages:"; cat again.out
else
  pass "#use \"topfind\" + #require of linked packages loads nothing"
fi

# #require exists from the first phrase (Topfind is linked in) and loads nothing either.
printf '#require "base,zarith";;\nZ.to_int (Z.of_int (Base.List.length [1; 2; 3]));;\n' \
  | ./mytop -noprompt > require_first.out 2>&1
if grep -q ": loaded$" require_first.out || ! grep -q "^- : int = 3$" require_first.out; then
  fail "#require in the first phrase:"; cat require_first.out
else
  pass "#require of linked packages in the first phrase loads nothing"
fi

# --- the installed ocamljit on the project corpus, hidden -------------------------
for f in "$corpus"/*.ml; do
  name=$(basename "$f")
  (cd "$corpus" && ocaml -noprompt < "$name") > "corpus.$name.ocaml" 2>&1
  (cd "$corpus" && hidden "$prefix/bin/ocamljit" -noprompt < "$name") > "corpus.$name.jit" 2>&1
  sed -i 1d "corpus.$name.ocaml" "corpus.$name.jit"
  same "installed ocamljit, hidden: corpus/$name" "corpus.$name.ocaml" "corpus.$name.jit"
done

# --- bad input ----------------------------------------------------------------------
# bad NAME PATTERN ARGS...: mktop must fail, say PATTERN, and write no ./bad.
bad() {
  name=$1 pattern=$2; shift 2
  rm -f bad
  "$mktop" "$@" -o bad > bad.err 2>&1
  rc=$?
  if [ $rc -ne 0 ] && grep -q -- "$pattern" bad.err && [ ! -e bad ] && [ -z "$(ls -A | grep '^\.bad\.mktop')" ]; then
    pass "bad input: $name (exit $rc)"
  else
    fail "bad input: $name (exit $rc, expected a message with '$pattern' and no ./bad):"; cat bad.err
  fi
}
printf 'not an object\n' > junk.o
bad "unknown package" "no_such_package_x" -package base,no_such_package_x
bad "missing file" "missing.cmx: no such file" missing.cmx
bad "not an object" "junk.o: not an ELF object file" junk.o
bad "C stubs missing" "lzarith" /usr/lib/ocaml/zarith/zarith.cmxa
bad "unknown option" "unknown option -frobnicate" -frobnicate

exit $status
