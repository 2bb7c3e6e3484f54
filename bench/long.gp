# The long-session chart of `make bench`: per-phrase latency and resident set along a
# generated session, ocamljit next to ocaml.
# Usage: gnuplot -e "dir='...'; outfile='...'" long.gp
# dir/long-SYS.dat: ELAPSED_MS <tab> PHRASES_ANSWERED <tab> RSS_KIB <tab> CPU_MS (a sample every 0.5 s);
# CPU, not wall: on a shared machine, wall time between samples mostly says how busy the others were.
# dir/long-median.dat: PHRASE <space> MEDIAN_MS (ocamljit, per block of 1000, from OCAMLJIT_TIMINGS).
set terminal svg size 900,760 dynamic font "sans,12"
set output outfile
set datafile separator whitespace
set datafile commentschars "#"
set multiplot layout 2,1
set grid
set key top left
set xlabel "phrases answered"
set title "Per-phrase latency along the session"
set ylabel "ms per phrase"
set logscale y
t0 = 0; p0 = 0
rate(t, p) = (dt = t - t0, dp = p - p0, t0 = t, p0 = p, (dp > 0 && dt > 0) ? dt / dp : 1/0)
plot dir.'/long-ocamljit.dat' using 2:(rate($4, $2)) with lines lc rgb "#4a7ab5" title "ocamljit (CPU, between samples)", \
     dir.'/long-ocaml.dat' using 2:(rate($4, $2)) with lines lc rgb "#e0a040" title "ocaml (CPU, between samples)", \
     dir.'/long-median.dat' using 1:2 with linespoints pt 7 ps 0.4 lc rgb "black" title "ocamljit (median of each 1000, in process)"
unset logscale y
set title "Resident set along the session"
set ylabel "RSS (MiB)"
plot dir.'/long-ocamljit.dat' using 2:($3 / 1024) with lines lc rgb "#4a7ab5" title "ocamljit", \
     dir.'/long-ocaml.dat' using 2:($3 / 1024) with lines lc rgb "#e0a040" title "ocaml"
unset multiplot
