#!/bin/sh
# Make dependencies for OCaml sources compiled into one flat output directory.
# Usage: mk/ocamldep.sh OUTDIR FILE.ml[i]...
# A file depends on the .cmi (and, for .ml, the .cmx) of every module it names
# that is itself one of the given files; library modules are left to ocamlfind.
set -eu
out=$1; shift
known=""
for f in "$@"; do
  b=$(basename "$f"); b=${b%.*}
  known="$known $b"
done
ocamldep -modules "$@" | while IFS= read -r line; do
  file=${line%%:*}; mods=${line#*:}
  base=$(basename "$file"); stem=${base%.*}
  case "$file" in
    *.mli) target="$out/$stem.cmi" ;;
    *.ml)  target="$out/$stem.cmx" ;;
  esac
  deps=""
  for m in $mods; do
    lm=$(printf %s "$m" | sed 's/^./\L&/')
    case " $known " in
      *" $lm "*)
        [ "$lm" = "$stem" ] && continue
        deps="$deps $out/$lm.cmi"
        case "$file" in *.ml) deps="$deps $out/$lm.cmx" ;; esac ;;
    esac
  done
  echo "$target:$deps"
done
# A module's .cmx needs its own .cmi; a module without .mli makes its .cmi from its .ml.
for f in "$@"; do
  case "$f" in *.ml) ;; *) continue ;; esac
  stem=$(basename "$f" .ml)
  found=no
  for g in "$@"; do [ "$(basename "$g")" = "$stem.mli" ] && found=yes; done
  if [ $found = yes ]; then echo "$out/$stem.cmx: $out/$stem.cmi"
  else echo "$out/$stem.cmi: $out/$stem.cmx"; fi
done
