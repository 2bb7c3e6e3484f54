# The `make bench` chart: per-phrase latency by system (median, with the min-max range).
# Usage: gnuplot -e "datafile='...'; outfile='...'; phrases=100" latency.gp
# datafile lines: SYSTEM <tab> MEDIAN_MS <tab> MIN_MS <tab> MAX_MS
set terminal svg size 720,420 dynamic font "sans,12"
set output outfile
set title sprintf("Per-phrase latency: (%d-phrase session - startup) / %d, median and min-max", phrases, phrases)
set ylabel "milliseconds per phrase (log scale)"
set logscale y
set yrange [0.01:*]
set style fill solid 0.6 border -1
set boxwidth 0.6
set grid ytics
set xtics nomirror
set key off
set datafile separator "\t"
plot datafile using 0:2:xtic(1) with boxes lc rgb "#4a7ab5", \
     '' using 0:2:($3 > 0 ? $3 : $2):4 with yerrorbars lc rgb "black" pt -1, \
     '' using 0:4:(sprintf("%.3g", $2)) with labels offset 0,0.8
