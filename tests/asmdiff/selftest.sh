#!/bin/sh
# selftest.sh DIR: proves that objcmp.sh can fail: an object compared with a
# copy that has one byte of .text (then of .data) changed must differ, and
# with an unchanged copy must not.
set -eu
dir=$1
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$dir" && mkdir -p "$dir"
cat > "$dir/probe.ml" <<'ML'
let table = [| 1; 2; 3 |]
let f x = x * 7 + table.(x land 1)
ML
(cd "$dir" && ${OCAMLOPT:-ocamlopt.opt} -c probe.ml)
cp "$dir/probe.o" "$dir/same.o"
sh "$here/objcmp.sh" "$dir/probe.o" "$dir/same.o" > /dev/null
for section in .text .data; do
  # objdump -h: "Idx Name Size VMA LMA File-off Algn".
  off=$(objdump -h "$dir/probe.o" | awk -v s="$section" '$2 == s { print $6 }')
  cp "$dir/probe.o" "$dir/bad.o"
  byte=$(od -An -tu1 -j $((0x$off + 8)) -N1 "$dir/bad.o" | tr -d ' ')
  printf "\\$(printf %o $(((byte + 1) % 256)))" |
    dd of="$dir/bad.o" bs=1 seek=$((0x$off + 8)) conv=notrunc 2>/dev/null
  if sh "$here/objcmp.sh" "$dir/probe.o" "$dir/bad.o" > /dev/null; then
    echo "selftest: a changed byte in $section went unnoticed" >&2; exit 1
  fi
done
