# Sourced by test scripts. hidden CMD...: runs CMD in a mount namespace where
# /usr/lib/ocaml is an empty tmpfs and as/ld/gcc/cc are bound to /dev/null, as
# on a machine without OCaml or binutils; exits 125 if the hiding did not take
# (needs root: unshare -m + mount).
hidden() {
  unshare -m sh -c '
    mount -t tmpfs none /usr/lib/ocaml || exit 125
    for t in as ld gcc cc; do
      p=$(command -v $t) && { mount --bind /dev/null "$(readlink -f "$p")" || exit 125; }
    done
    [ -z "$(ls -A /usr/lib/ocaml)" ] || exit 125
    if as --version >/dev/null 2>&1 || gcc --version >/dev/null 2>&1; then exit 125; fi
    exec "$@"' hidden "$@"
}
