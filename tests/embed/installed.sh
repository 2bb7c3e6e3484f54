#!/bin/sh
# What a user gets from `make install PREFIX=DIR`: hosts built with only
# `pkg-config --cflags --libs ocamljit` (C++ and C) and with
# `ocamlfind ocamlopt -package ocamljit.eval`, run from elsewhere, and all
# of them also with the OCaml installation and binutils hidden (the
# libraries carry the stdlib's interfaces; nothing is assembled or linked by
# another program). Hiding takes a mount namespace: root (as CI runs).
set -eu
prefix=$1
out=$2
here=$(pwd)

. "$here/tests/support/hidden.sh"
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
flags=$(pkg-config --cflags --libs ocamljit)

g++ -std=c++17 -O2 -Wall -Werror -o "$out/pricing_host" examples/embed/pricing_host.cpp $flags
(cd / && PATH=/nonexistent "$out/pricing_host" "$here/examples/embed/pricing_rules.ml") > "$out/pricing.out"
diff -u examples/embed/expected.txt "$out/pricing.out"

# Rules that do not type: one message, exit status 1, no crash.
printf 'let price sku quantity = sku + quantity\nlet label = 1\n' > "$out/bad_rules.ml"
if "$out/pricing_host" "$out/bad_rules.ml" > "$out/bad.out" 2>&1; then
  echo "installed.sh: bad rules accepted" >&2; exit 1
fi
grep -q 'Error: This expression has type string' "$out/bad.out" || { cat "$out/bad.out" >&2; exit 1; }

gcc -std=c11 -Wall -Werror -o "$out/c_host" tests/embed/c_host.c $flags
PATH=/nonexistent "$out/c_host"

# The acceptance line: the installation and binutils hidden.
hidden env -C / "$out/pricing_host" "$here/examples/embed/pricing_rules.ml" > "$out/pricing_hidden.out"
diff -u examples/embed/expected.txt "$out/pricing_hidden.out"
hidden env -C / "$out/c_host"

# The shared library, for hosts that prefer it.
g++ -std=c++17 -O2 -o "$out/pricing_host_so" examples/embed/pricing_host.cpp $(pkg-config --cflags ocamljit) \
  -L"$prefix/lib" -Wl,-rpath,"$prefix/lib" -locamljit
ldd "$out/pricing_host_so" | grep -q "$prefix/lib/libocamljit.so"
(cd / && PATH=/nonexistent "$out/pricing_host_so" "$here/examples/embed/pricing_rules.ml") > "$out/pricing_so.out"
diff -u examples/embed/expected.txt "$out/pricing_so.out"
hidden env -C / "$out/pricing_host_so" "$here/examples/embed/pricing_rules.ml" > "$out/pricing_so_hidden.out"
diff -u examples/embed/expected.txt "$out/pricing_so_hidden.out"

rm -rf "$out/findlib" && mkdir -p "$out/findlib"
cp tests/embed/findlib/findlib_host.ml "$out/findlib/"
(cd "$out/findlib" && OCAMLPATH="$prefix/lib/ocaml" ocamlfind ocamlopt -package ocamljit.eval -linkpkg \
   -o findlib_host findlib_host.ml)
PATH=/nonexistent "$out/findlib/findlib_host"
hidden env -C / "$out/findlib/findlib_host"
echo "installed.sh: ok"
