# The `make bench` chart: per-phrase latency by system, wall time (median, min-max range)
# next to CPU time (median; user + system, child processes included).
# Usage: gnuplot -e "datafile='...'; outfile='...'; phrases=100" latency.gp
# datafile lines: SYSTEM <tab> WALL_MEDIAN_MS <tab> WALL_MIN_MS <tab> WALL_MAX_MS <tab> CPU_MEDIAN_MS
set terminal svg size 760,440 dynamic font "sans,12"
set output outfile
set title sprintf("Per-phrase latency: (%d-phrase session - startup) / %d", phrases, phrases)
set ylabel "milliseconds per phrase (log scale)"
set logscale y
set yrange [0.01:*]
set style fill solid 0.7 border -1
set boxwidth 0.36
set grid ytics
set xtics nomirror
set key below
set datafile separator "\t"
plot datafile using 0:(1/0):xtic(1) with boxes notitle, \
     '' using ($0 - 0.19):2 with boxes lc rgb "#4a7ab5" title "wall (median, min-max)", \
     '' using ($0 - 0.19):2:($3 > 0 ? $3 : $2):4 with yerrorbars lc rgb "black" pt -1 notitle, \
     '' using ($0 - 0.19):4:(sprintf("%.3g", $2)) with labels offset 0,0.8 notitle, \
     '' using ($0 + 0.19):5 with boxes lc rgb "#e0a040" title "CPU (median)", \
     '' using ($0 + 0.19):5:(sprintf("%.3g", $5)) with labels offset 0,0.8 notitle
