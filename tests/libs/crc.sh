#!/bin/sh
# Every toplevel interface Debian's compiler-libs ships must have the same CRC
# in ocamljit's build, or nothing compiled against compiler-libs (findlib_top,
# ppx drivers) links into ocamljit.
# usage: crc.sh OCAML_OUT_DIR
set -u
out=$1
debian=$(ocamlfind query compiler-libs 2>/dev/null || echo /usr/lib/ocaml/compiler-libs)
status=0; checked=0
crc() { ocamlobjinfo "$1" | awk -v m="$2" '$2 == m { print $1; exit }'; }
for cmi in "$debian"/top*.cmi "$debian"/genprintval.cmi; do
  name=$(basename "$cmi" .cmi)
  case $name in topstart) continue ;; esac   # the bytecode toplevel's main, not ours
  module=$(echo "$name" | sed 's/^./\U&/')
  ours=$(crc "$out/$name.cmi" "$module"); theirs=$(crc "$cmi" "$module")
  checked=$((checked + 1))
  if [ -n "$ours" ] && [ "$ours" = "$theirs" ]; then
    echo "crc: $module: $ours, same as $cmi"
  else
    echo "crc: $module: ours ${ours:-missing} differs from $cmi ($theirs)"; status=1
  fi
done
[ "$checked" -ge 6 ] || { echo "crc: only $checked interfaces found in $debian"; status=1; }
exit $status
