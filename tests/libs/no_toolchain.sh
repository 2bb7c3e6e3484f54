#!/bin/sh
# The library corpus needs no toolchain: run it (compared with ocaml) in a
# private mount namespace where as, ld, gcc, cc and the x86_64-linux-gnu-*
# binutils are /dev/null; then once more under strace -f: no toolchain
# process may start, and nothing may be created under $TMPDIR.
# Needs root (unshare -m, mount --bind); CI runs as root.
# usage: no_toolchain.sh OCAMLJIT FILE...
set -u
here=$(cd "$(dirname "$0")" && pwd)
ocamljit=$(cd "$(dirname "$1")" && pwd)/$(basename "$1"); shift
status=0

tools=""
for t in as ld ld.bfd ld.gold gcc cc c++ g++; do
  p=$(command -v "$t" 2>/dev/null) && tools="$tools $p $(readlink -f "$p")"
done
for p in /usr/bin/x86_64-linux-gnu-* /usr/lib/gcc/x86_64-linux-gnu/*/collect2; do
  [ -e "$p" ] && tools="$tools $p $(readlink -f "$p")"
done
[ -n "$tools" ] || { echo "no_toolchain: found no toolchain binary to hide"; exit 1; }
export TOOLS="$tools"

echo "no_toolchain: the corpus with as, ld, gcc, cc hidden:"
# shellcheck disable=SC2016  # expanded by the inner shell
unshare -m sh -c '
  for t in $TOOLS; do mount --bind /dev/null "$t" || exit 3; done
  if as --version >/dev/null 2>&1 || gcc --version >/dev/null 2>&1; then
    echo "no_toolchain: the toolchain is still usable"; exit 4; fi
  exec sh "$@"' sh "$here/compare.sh" "$ocamljit" "$@" || status=1

echo "no_toolchain: the corpus under strace -f:"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/tmpdir"
for f in "$@"; do
  name=$(basename "$f")
  # A #ppx typed by hand runs its executable, as in ocaml (temporary files).
  case $name in *ppx_by_hand*) continue ;; esac
  (cd "$(dirname "$f")" && TMPDIR="$tmp/tmpdir" strace -f -qq -o "$tmp/trace" \
     -e trace=execve,open,openat,creat,mkdir,mkdirat,rename,renameat,renameat2,link,symlink \
     "$ocamljit" -noprompt -noinit < "$name" > /dev/null 2>&1)
  bad=$(grep -E 'execve\("[^"]*/(as|ld|ld\.bfd|ld\.gold|gcc|cc|c\+\+|g\+\+|collect2|x86_64-linux-gnu-[^"]*)"' "$tmp/trace")
  created=$(grep -F "$tmp/tmpdir" "$tmp/trace" | grep -E 'O_CREAT|creat\(|mkdir|rename|link')
  if [ -n "$bad" ] || [ -n "$created" ] || [ -n "$(ls -A "$tmp/tmpdir")" ]; then
    echo "no_toolchain: $name: a toolchain process or a temporary file:"
    printf '%s\n%s\n' "$bad" "$created" | head -10
    status=1
  else
    echo "no_toolchain: $name: no toolchain process, no temporary file ($(grep -c execve "$tmp/trace") execve)"
  fi
done
exit $status
