#!/bin/sh
# objcmp.sh REF.o JIT.o: exit 0 when the two objects have the same .text and
# .data bytes and relocations, else print the first lines of the difference of
# their normalised dumps and exit 1. The dumps leave out the file names.
set -u
ref=$1 jit=$2
cmp -s "$ref" "$jit" && exit 0
dump() {
  { objdump -dr -j .text "$1"; objdump -s -j .data "$1"; objdump -r -j .data "$1"; } 2>&1 |
    sed -e "s|$1|OBJ|g" -e '/file format/d'
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
dump "$ref" > "$tmp/ref"
dump "$jit" > "$tmp/jit"
if cmp -s "$tmp/ref" "$tmp/jit"; then exit 0; fi
diff "$tmp/ref" "$tmp/jit" | head -${OBJCMP_LINES:-8}
exit 1
