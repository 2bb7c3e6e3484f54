#!/bin/sh
# Packs the REPL's line editor and its libraries into one object for ocamljit
# (src/repl/repl_loader.ml loads them on a terminal): a ustar archive of each
# .cmxa with its .a and the C stub archives its -l flags name (found beside it
# or in the stdlib directory; system libraries such as -lev stay dynamic),
# plus "load-order", the .cmxa files in link order. The archive's bytes sit
# between the symbols ocamljit_repl_bundle_start and ocamljit_repl_bundle_end.
# Usage: repl_bundle.sh OUT.o STDLIB_DIR CMXA...
set -eu
out=$1; stdlib=$2; shift 2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
files=$work/files
mkdir "$files"
: > "$files/load-order"
add() { # FILE: into the bundle; two different files of one name are an error
  name=$(basename "$1")
  if [ -e "$files/$name" ]; then
    cmp -s "$1" "$files/$name" || { echo "repl_bundle.sh: two files named $name" >&2; exit 1; }
  else cp "$1" "$files/"; fi
}
for cmxa in "$@"; do
  dir=$(dirname "$cmxa"); base=$(basename "$cmxa" .cmxa)
  add "$cmxa"
  # A library without units has no .a.
  [ ! -f "$dir/$base.a" ] || add "$dir/$base.a"
  for flag in $(ocamlobjinfo "$cmxa" | sed -n 's/^Extra C object files://p'); do
    case $flag in
      -l*) lib=lib${flag#-l}.a
           for d in "$dir" "$stdlib"; do
             if [ -f "$d/$lib" ]; then add "$d/$lib"; break; fi
           done ;;
    esac
  done
  echo "$base.cmxa" >> "$files/load-order"
done
(cd "$files" && tar --format=ustar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -cf ../bundle.tar -- *)
cat > "$work/bundle.s" <<ASM
	.section .rodata.ocamljit_repl_bundle,"a"
	.balign 16
	.globl ocamljit_repl_bundle_start
ocamljit_repl_bundle_start:
	.incbin "$work/bundle.tar"
	.globl ocamljit_repl_bundle_end
ocamljit_repl_bundle_end:
	.section .note.GNU-stack,"",@progbits
ASM
as -o "$out" "$work/bundle.s"
