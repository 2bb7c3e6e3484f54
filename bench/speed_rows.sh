#!/bin/sh
# The rows of `make bench` about what a phrase costs beyond its wall time (issue 13):
#   syscalls  system calls per phrase (strace -c -f: session of N phrases - empty session) / N,
#             for ocamljit (dual-mapped code arena and the mprotect fallback), ocamlnat, ocaml;
#   long      a generated session of L phrases (default 100 000) through ocamljit and ocaml:
#             per-phrase latency at the start and at the end, peak RSS, curves (long.svg);
#   asm       the in-process assembler's throughput (instructions/s) next to GNU as on the
#             same input: the standard library compiled by ocamljit-opt, its IR dumped.
# Prints a text block for the bench table; writes OUT/long.svg and OUT/long-*.dat.
# Usage: speed_rows.sh BUILD_DIR WORK_DIR OUT_DIR ROWS PHRASES_FILE N LONG_N RUNS
#   ROWS: comma-separated subset of syscalls,long,asm (or "all").
set -eu
build=$(cd "$1" && pwd) work=$2 out=$3 rows=$4 phrases_file=$5 n=$6 long_n=$7 runs=$8
here=$(cd "$(dirname "$0")" && pwd)
ocamljit=$build/bin/ocamljit
ocamlnat=$build/ocamlnat/ocamlnat
ocaml_bin=$(command -v ocaml || true)
runner=$build/bench/bench-runner
tab=$(printf '\t')
want() { case ",$rows," in *",$1,"* | *",all,"*) return 0 ;; esac; return 1; }
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR) print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# --- syscalls --------------------------------------------------------------------------
if want syscalls && command -v strace > /dev/null; then
  : > "$work/empty.ml"
  echo "System calls per phrase (strace -c -f; (session of $n phrases - empty session) / $n):"
  # calls FILE: "syscall count" lines of an strace -c summary (count is the 4th column).
  calls() { awk '$4 ~ /^[0-9]+$/ && $NF != "total" { print $NF, $4 }' "$1" | sort; }
  for sys in ocamljit ocamljit-mprotect ocamlnat ocaml; do
    case $sys in
      ocamljit) cmd="env OCAMLJIT_JIT_MEMORY=dual $ocamljit" ;;  # strace is a tracer: ask for the default mode
      ocamljit-mprotect) cmd="env OCAMLJIT_JIT_MEMORY=mprotect $ocamljit" ;;
      ocamlnat) cmd="$ocamlnat" ;;
      ocaml) cmd="$ocaml_bin" ;;
    esac
    [ -n "${cmd##env *}" ] && [ ! -x "$cmd" ] && { printf '  %-18s not built\n' "$sys"; continue; }
    # shellcheck disable=SC2086
    strace -f -c -o "$work/strace-$sys-empty" $cmd -noprompt -noinit < "$work/empty.ml" > /dev/null 2>&1 || true
    # shellcheck disable=SC2086
    strace -f -c -o "$work/strace-$sys-full" $cmd -noprompt -noinit < "$phrases_file" > /dev/null 2>&1 || true
    calls "$work/strace-$sys-empty" > "$work/calls-empty"
    calls "$work/strace-$sys-full" > "$work/calls-full"
    join -a 2 -e 0 -o 0,1.2,2.2 "$work/calls-empty" "$work/calls-full" |
      awk -v n="$n" -v sys="$sys" '{ d = ($3 - $2) / n; t += d; if (d >= 0.05) { m++; name[m] = $1; v[m] = d } }
        END { # the six biggest contributors
          for (i = 2; i <= m; i++) { x = v[i]; y = name[i]; for (j = i - 1; j >= 1 && v[j] < x; j--) { v[j + 1] = v[j]; name[j + 1] = name[j] } v[j + 1] = x; name[j + 1] = y }
          for (i = 1; i <= m && i <= 6; i++) top = top sprintf(" %s %.2f", name[i], v[i])
          printf "  %-18s %7.2f  (%s%s )\n", sys, t, top, (m > 6) ? " ..." : "" }' | tee -a "$work/syscalls.txt"
  done
  awk '$1 == "ocamljit" { printf "  target: <= 2 per phrase (ocamljit): %s\n", ($2 <= 2) ? "met" : "not met" }' \
    "$work/syscalls.txt"
  echo
fi

# --- long session ----------------------------------------------------------------------
# sample PID OUTPUT: one line per half second: elapsed ms, phrases answered so far
# (lines "val v..." in the output), resident set (KiB), CPU ms used so far (user +
# system, /proc/PID/stat: on a shared machine the figure other processes disturb
# least); VmHWM (peak) last.
tick_ms=$((1000 / $(getconf CLK_TCK)))
sample() {
  pid=$1 output=$2 t0=$(date +%s%N) hwm=0
  while kill -0 "$pid" 2> /dev/null; do
    rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$pid/status" 2> /dev/null || true)
    h=$(awk '/^VmHWM/ { print $2 }' "/proc/$pid/status" 2> /dev/null || true)
    # utime and stime: fields 14 and 15, counted after the ")" that ends the command name.
    cpu=$(sed 's/.*) //' "/proc/$pid/stat" 2> /dev/null | awk -v t="$tick_ms" '{ print ($12 + $13) * t }' || true)
    [ -n "$h" ] && hwm=$h
    [ -n "$rss" ] && [ -n "$cpu" ] && printf '%d\t%d\t%d\t%d\n' $(( ($(date +%s%N) - t0) / 1000000 )) \
      "$(grep -c '^val v' "$output" || true)" "$rss" "$cpu"
    sleep 0.5
  done
  echo "# peak $hwm"
}
# at_phrase DAT K COLUMN: the elapsed ms (column 1) or CPU ms (column 4) at which phrase K
# was answered (linear between samples).
at_phrase() {
  awk -v k="$2" -v c="$3" '!/^#/ { if ($2 >= k && !done) { if ($2 == p) t = $c; else t = pt + ($c - pt) * (k - p) / ($2 - p);
    print t; done = 1 } pt = $c; p = $2 } END { if (!done) print pt }' "$1"
}
if want long; then
  echo "Long session: $long_n phrases 'let vI = List.init 10 (fun x -> x + I);;', one run each, one after the other:"
  awk -v n="$long_n" 'BEGIN { for (i = 1; i <= n; i++) printf "let v%d = List.init 10 (fun x -> x + %d);;\n", i, i }' \
    > "$work/long.ml"
  for sys in ocamljit ocaml; do
    exe=$ocamljit; [ "$sys" = ocaml ] && exe=$ocaml_bin
    [ -n "$exe" ] && [ -x "$exe" ] || { printf '  %-10s not built\n' "$sys"; continue; }
    rm -f "$out/long-timings.tsv"
    # Run by bench-runner, whose wait4 gives the exact peak RSS (ru_maxrss) and CPU time even
    # when the session ends between two samples; the samples give the curves.
    envs=""; [ "$sys" = ocamljit ] && envs="OCAMLJIT_TIMINGS=$out/long-timings.tsv$tab"
    printf 'long\t%s\t%s\t%s%s\t-noprompt\t-noinit\n' "$sys" "$work/long.ml" "$envs" "$exe" > "$work/long-$sys.plan"
    rm -rf "$work/long-runs" && mkdir -p "$work/long-runs"
    "$runner" -r 1 -w 0 -t 3600 -o "$work/long-runs" "$work/long-$sys.plan" > "$work/long-$sys.sample" &
    rpid=$!
    pid=""
    while [ -z "$pid" ] && kill -0 "$rpid" 2> /dev/null; do pid=$(cut -d" " -f1 "/proc/$rpid/task/$rpid/children" 2> /dev/null || true); done
    if [ -n "$pid" ]; then sample "$pid" "$work/long-runs/long.$sys.out" > "$out/long-$sys.dat"; else : > "$out/long-$sys.dat"; fi
    wait "$rpid" || true
    done_n=$(grep -c '^val v' "$work/long-runs/long.$sys.out" 2> /dev/null || true)
    # The session's end as a last point, from wait4 (wall and CPU of the whole run): the
    # last half-second sample comes before it, and the last tenth's mean needs its end.
    awk -F '\t' -v n="$done_n" 'FNR == NR { if (!/^#/ && NF >= 3) rss = $3; next }
      { printf "%d\t%d\t%d\t%d\n", $4 / 1000, n, rss, $5 / 1000 }' \
      "$out/long-$sys.dat" "$work/long-$sys.sample" >> "$out/long-$sys.dat"
    hwm=$(sed -n 's/^# peak //p' "$out/long-$sys.dat"); ru=$(awk -F '\t' '{ print $6 }' "$work/long-$sys.sample")
    peak=$(awk -v a="${hwm:-0}" -v b="${ru:-0}" 'BEGIN { print (a > b) ? a : b }')
    # Mean ms per phrase over the first and the last tenth of the session (at least 1000
    # phrases: the output's progress is sampled every 0.5 s and written in bursts), wall and CPU.
    per() { a=$(at_phrase "$out/long-$sys.dat" "$1" "$3"); b=$(at_phrase "$out/long-$sys.dat" "$2" "$3")
      awk -v a="$a" -v b="$b" -v n="$(( $2 - $1 ))" 'BEGIN { printf "%.3f", (b - a) / n }'; }
    tenth=$((done_n / 10)); [ "$tenth" -ge 1000 ] || tenth=1000
    w1=$(per 1 "$tenth" 1); w2=$(per $((done_n - tenth)) "$done_n" 1)
    c1=$(per 1 "$tenth" 4); c2=$(per $((done_n - tenth)) "$done_n" 4)
    awk -v s="$sys" -v d="$done_n" -v t="$tenth" -v p="$peak" -v w1="$w1" -v w2="$w2" -v c1="$c1" -v c2="$c2" \
      'BEGIN { printf "  %-10s %d phrases; mean ms per phrase, first / last %d (output'"'"'s progress): CPU %.3f / %.3f (x%.2f), wall %.3f / %.3f; peak RSS %.0f MiB, %.2f KiB per phrase\n",
        s, d, t, c1, c2, (c1 > 0) ? c2 / c1 : 0, w1, w2, p / 1024, (d > 0) ? p / d : 0 }' \
      | tee -a "$work/long.txt"
    if [ "$sys" = ocamljit ] && [ -s "$out/long-timings.tsv" ]; then
      sed -n 's/.*total_us=\([0-9]*\).*/\1/p' "$out/long-timings.tsv" > "$work/long-total.txt"
      first=$(head -n 1000 "$work/long-total.txt" | median)
      last=$(tail -n 1000 "$work/long-total.txt" | median)
      # The curve: median per-phrase latency of each block of 1000 phrases.
      awk '{ v[++m] = $1 } m == 1000 { n = 0; for (i = 1; i <= m; i++) { x = v[i]; for (j = i - 1; j >= 1 && s[j] > x; j--) s[j + 1] = s[j]; s[j + 1] = x }
        print NR - 500, s[500] / 1000.0; m = 0 }' "$work/long-total.txt" > "$out/long-median.dat"
      awk -v f="$first" -v l="$last" 'BEGIN { printf "  ocamljit   median latency inside the process (OCAMLJIT_TIMINGS): first 1000 %.0f us, last 1000 %.0f us: x%.2f (target <= 1.5: %s)\n",
        f, l, (f > 0) ? l / f : 0, (f > 0 && l / f <= 1.5) ? "met" : "not met" }'
    fi
  done
  awk '/KiB per phrase/ { match($0, /[0-9.]+ KiB per phrase/); k[$1] = substr($0, RSTART, RLENGTH) + 0 }
       END { if (("ocamljit" in k) && ("ocaml" in k) && k["ocaml"] > 0)
         printf "  peak RSS per phrase / ocaml'"'"'s: %.2f (target <= 1: %s)\n", k["ocamljit"] / k["ocaml"], (k["ocamljit"] <= k["ocaml"]) ? "met" : "not met" }' \
    "$work/long.txt"
  if command -v gnuplot > /dev/null && [ -s "$out/long-ocamljit.dat" ]; then
    gnuplot -e "dir='$out'; outfile='$out/long.svg'" "$here/long.gp" 2> /dev/null && echo "  curves: $out/long.svg"
  fi
  echo
fi

# --- assembler throughput --------------------------------------------------------------
if want asm && [ -x "$build/bin/ocamljit-opt" ] && [ -x "$build/bin/ocamljit-ir" ]; then
  irdir=$work/ir
  rm -rf "$irdir" && mkdir -p "$irdir"
  OCAMLJIT_DUMP_IR=$irdir sh "$here/compile_stdlib.sh" "$build/bin/ocamljit-opt" \
    "$build/ocaml-src/ocaml-4.13.1/stdlib" "$work/asm-stdlib" > /dev/null 2>&1 || true
  set -- "$irdir"/*.ir
  if [ -e "$1" ]; then
    "$build/bin/ocamljit-ir" bench -n "$runs" "$@" > "$work/asm-bench.txt"
    instrs=$(sed -n 's/.* \([0-9]*\) instructions, .*/\1/p' "$work/asm-bench.txt")
    ours=$(awk '$1 == "assemble" { for (i = 1; i <= NF; i++) if ($i == "instructions/s") print $(i - 2) }' "$work/asm-bench.txt")
    for f in "$@"; do "$build/bin/ocamljit-ir" print "$f" > "${f%.ir}.s"; done
    # GNU as: one process per unit, as ocamlopt runs it (process start included); median of RUNS rounds.
    r=0
    while [ $r -lt "$runs" ]; do
      t0=$(date +%s%N)
      for f in "$@"; do as --64 -o "$irdir/x.o" "${f%.ir}.s"; done
      echo $(( ($(date +%s%N) - t0) / 1000 ))
      r=$((r + 1))
    done | median > "$work/as-us.txt"
    # The same number of `as` processes on an empty file: what starting them costs.
    : > "$irdir/empty.s"
    r=0
    while [ $r -lt "$runs" ]; do
      t0=$(date +%s%N)
      for f in "$@"; do as --64 -o "$irdir/x.o" "$irdir/empty.s"; done
      echo $(( ($(date +%s%N) - t0) / 1000 ))
      r=$((r + 1))
    done | median > "$work/as-empty-us.txt"
    awk -v i="$instrs" -v ours="$ours" -v n="$#" -v us="$(cat "$work/as-us.txt")" -v empty="$(cat "$work/as-empty-us.txt")" 'BEGIN {
      gas = (us > 0) ? i / (us / 1e6) / 1e6 : 0
      net = (us > empty) ? i / ((us - empty) / 1e6) / 1e6 : 0
      printf "Assembler throughput on the standard library (%d units, %d instructions; medians of runs):\n", n, i
      printf "  ocamljit (in process: IR -> object)           %8.2f M instructions/s\n", ours
      printf "  GNU as (text -> .o, a process a unit)         %8.2f M instructions/s   ocamljit / as: %.1fx\n", gas, (gas > 0) ? ours / gas : 0
      printf "  GNU as, minus starting its %d processes       %8.2f M instructions/s   ocamljit / as: %.1fx\n\n", n, net, (net > 0) ? ours / net : 0 }'
  else
    printf 'Assembler throughput: no IR was dumped (compiling the standard library with ocamljit-opt failed)\n\n'
  fi
fi
