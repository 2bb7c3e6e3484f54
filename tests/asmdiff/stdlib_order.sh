#!/bin/sh
# stdlib_order.sh STDLIB_SRC: prints "TARGET SOURCE" (e.g. "stdlib__List.cmx
# list.ml") for every interface and implementation of the stdlib, in an order
# that respects stdlib/.depend and the extra dependencies stdlib/Makefile adds
# (everything but the stdlib's own dependencies needs stdlib.cmi/stdlib.cmx).
set -eu
src=$1
# One line per .cmi/.cmx target: "target dep..." (continuation lines joined).
sed -e ':a' -e '/\\$/N; s/\\\n//; ta' "$src/.depend" | tr -s ' ' |
  awk '$1 ~ /\.cm[ix]$/ { t = $1; $1 = ""; $2 = ""; print t, $0 }' |
  { cat; echo "std_exit.cmx"; } |
  awk '
    { line[NR] = $0; split($0, f, " "); has[f[1]] = 1 }
    END {
      for (n = 1; n <= NR; n++) {
        k = split(line[n], f, " "); t = f[1]
        print t, t
        for (i = 2; i <= k; i++) {
          d = f[i]
          if (d !~ /\.cm[ix]$/) continue
          if (d ~ /\.cmi$/ && !(d in has)) sub(/\.cmi$/, ".cmx", d)
          if (d != t) print d, t
        }
        if (t ~ /\.cmx$/) { i = t; sub(/\.cmx$/, ".cmi", i); if (i in has) print i, t }
        if (t !~ /^(stdlib|camlinternalFormatBasics|camlinternalAtomic)\./) {
          print "stdlib.cmi", t
          if (t ~ /\.cmx$/) print "stdlib.cmx", t
        }
      }
    }' | tsort |
  awk '{
    s = $1; sub(/^stdlib__/, "", s)
    s = tolower(substr(s, 1, 1)) substr(s, 2)
    sub(/\.cmi$/, ".mli", s); sub(/\.cmx$/, ".ml", s)
    print $1, s
  }'
