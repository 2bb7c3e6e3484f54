#!/bin/sh
# `make bench`: measures ocamljit against the bytecode toplevel `ocaml`, a stock `ocamlnat`
# and (for execution speed) an ocamlopt-compiled program, on the same inputs, in one run.
#
# Usage: bench/bench.sh [-r RUNS] [-w WARMUP] [-c COMPUTE_RUNS] [-n PHRASES] [-d DOC_PHRASES] [-e] [-s]
#                       [-R ROWS] [-l LONG_PHRASES] BUILD_DIR
#   -r  timed runs per workload (default 7)      -w  warm-up rounds (default 1)
#   -c  timed runs of the compute script (default 5, it is the slow one)
#   -n  phrases in the latency session (default 100)
#   -d  phrases in the Markdown document for ocamljit-doc (default 500; it ends with a shell block)
#   -e  also the expect-test corpus through ocamljit-expect, once per loader (minutes)
#   -s  smoke mode: tiny inputs, no compute/doc/stdlib workloads (for `make test`)
#   -R  only these rows, comma-separated: startup,phrases (both make per-phrase),compute,doc,
#       stdlib,corpus (with -e),syscalls,long,asm (bench/speed_rows.sh); default all
#   -l  phrases of the long session (default 100000)
# Expects BUILD_DIR/bench/bench-runner and BUILD_DIR/bench/compute.exe to be built (mk/bench.mk).
# Writes BUILD_DIR/bench/{samples.tsv,table.txt,latency.dat,latency.svg,timings-*.tsv}
# (smoke mode: BUILD_DIR/bench/smoke/...) and prints the table.
set -eu

runs=7 warmup=1 compute_runs=5 phrases=100 doc_phrases=500 smoke=0 corpus=0 rows=all long_phrases=100000
while getopts r:w:c:n:d:esR:l: opt; do
  case $opt in
    r) runs=$OPTARG ;; w) warmup=$OPTARG ;; c) compute_runs=$OPTARG ;;
    n) phrases=$OPTARG ;; d) doc_phrases=$OPTARG ;; e) corpus=1 ;; s) smoke=1 ;;
    R) rows=$OPTARG ;; l) long_phrases=$OPTARG ;; *) exit 2 ;;
  esac
done
shift $((OPTIND - 1))
[ $# -eq 1 ] || { echo "usage: bench.sh [-r N] [-w N] [-c N] [-n N] [-d N] [-e] [-s] [-R ROWS] [-l N] BUILD_DIR" >&2; exit 2; }
# want ROW: whether -R selected the row.
want() { case ",$rows," in *",$1,"* | *",all,"*) return 0 ;; esac; return 1; }
build=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
runner=$build/bench/bench-runner
out=$build/bench
# A smoke run must not overwrite the figures of the last real one.
[ "$smoke" = 1 ] && out=$build/bench/smoke
work=$out/work
rm -rf "$out/runs" "$work"
mkdir -p "$work" "$out/runs"
# Whatever the caller's environment says, each row must mean what its name says.
unset OCAMLJIT_LOADER OCAMLJIT_TIMINGS OCAMLRUNPARAM OCAMLPARAM

ocaml_bin=$(command -v ocaml || true)
tab=$(printf '\t')

# --- systems: name, then the command (tab-separated, env assignments first) -----------
systems_file=$work/systems.tsv
: > "$systems_file"
missing=$work/missing.tsv
: > "$missing"
# add_system NAME EXECUTABLE [ENV=VALUE ...] -- ARGS...
add_system() {
  name=$1 exe=$2; shift 2
  envs=""
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do envs="$envs$1$tab"; shift; done
  shift
  if [ -n "$exe" ] && [ -x "$exe" ]; then
    line="$name$tab$envs$exe"
    for a in "$@"; do line="$line$tab$a"; done
    printf '%s\n' "$line" >> "$systems_file"
  else
    printf '%s\t%s\n' "*" "$name" >> "$missing"
  fi
}
add_system ocamljit "$build/bin/ocamljit" -- -noprompt -noinit
add_system ocamljit-external "$build/bin/ocamljit" OCAMLJIT_LOADER=external -- -noprompt -noinit
add_system ocamlnat "$build/ocamlnat/ocamlnat" -- -noprompt -noinit
add_system ocaml "$ocaml_bin" -- -noprompt -noinit

# --- workloads ----------------------------------------------------------------------
if [ "$smoke" = 1 ]; then phrases=5; fi
echo '1;;' > "$work/startup.ml"
sh "$here/gen_phrases.sh" "$phrases" > "$work/phrases.ml"
cp "$here/compute.ml" "$work/compute.ml"

plan=$work/plan.tsv
compute_plan=$work/compute-plan.tsv
corpus_plan=$work/corpus-plan.tsv
: > "$plan"
: > "$compute_plan"
: > "$corpus_plan"
# toplevel_rows WORKLOAD INPUT PLAN: one plan line per toplevel system.
toplevel_rows() {
  while IFS= read -r sys; do
    name=${sys%%"$tab"*}
    cmd=${sys#*"$tab"}
    printf '%s\t%s\t%s\t%s\n' "$1" "$name" "$2" "$cmd" >> "$3"
  done < "$systems_file"
}
want startup && toplevel_rows startup "$work/startup.ml" "$plan"
want phrases && toplevel_rows phrases "$work/phrases.ml" "$plan"
if [ "$smoke" = 0 ]; then
  # A findlib session: topfind, a package with C stubs (base), one phrase using it.
  printf '#use "topfind";;\n#require "base";;\nBase.List.length [1];;\n' > "$work/require.ml"
  want require && toplevel_rows require "$work/require.ml" "$plan"
  want compute && toplevel_rows compute "$work/compute.ml" "$compute_plan"
  if ! want compute; then :
  elif [ -x "$out/compute.exe" ]; then
    printf 'compute\tocamlopt\t/dev/null\t%s\n' "$out/compute.exe" >> "$compute_plan"
  else
    printf 'compute\tocamlopt\n' >> "$missing"
  fi
  # ocamljit-doc on a large Markdown file, versus the same phrases through `ocaml`.
  if ! want doc; then :
  elif [ -x "$build/bin/ocamljit-doc" ] && [ -f "$root/tests/doc/gen_bench_doc.sh" ]; then
    sh "$root/tests/doc/gen_bench_doc.sh" "$doc_phrases" > "$work/doc.md"
    # The same phrases for `ocaml`, extracted by mdx's rules (nothing added between them).
    awk -f "$here/md_phrases.awk" "$work/doc.md" > "$work/doc-phrases.ml"
    # --output: the corrected document goes aside and the exit status only says whether
    # every block ran, so a stale expected output cannot turn the row into a failure.
    printf 'doc\tocamljit-doc\t/dev/null\t%s\t--output\t%s\t%s\n' "$build/bin/ocamljit-doc" \
      "$work/doc.corrected.md" "$work/doc.md" >> "$plan"
    [ -n "$ocaml_bin" ] &&
      printf 'doc\tocaml\t%s\t%s\t-noprompt\t-noinit\n' "$work/doc-phrases.ml" "$ocaml_bin" >> "$plan"
  else
    printf 'doc\tocamljit-doc\n' >> "$missing"
  fi
  # The expect-test corpus (opt-in: minutes per loader), ocamljit's loaders only: the
  # bytecode counterpart of ocamljit-expect is not installed.
  if ! want corpus; then :
  elif [ "$corpus" = 1 ] && [ -x "$build/bin/ocamljit-expect" ]; then
    for sys in ocamljit ocamljit-external; do
      env=""; [ "$sys" = ocamljit-external ] && env="OCAMLJIT_LOADER=external$tab"
      printf 'corpus\t%s\t/dev/null\t%s/bin/sh\t%s\t%s\t%s\t%s\n' "$sys" "$env" "$here/expect_corpus.sh" \
        "$build/bin/ocamljit-expect" "$build/ocaml-src/ocaml-4.13.1/testsuite/tests" \
        "$work/corpus-$sys" >> "$corpus_plan"
    done
  elif [ "$corpus" = 1 ]; then
    printf 'corpus\tocamljit\n' >> "$missing"
  fi
  # ocamljit-opt vs ocamlopt compiling the standard library's sources.
  if ! want stdlib; then :
  elif [ -x "$build/bin/ocamljit-opt" ]; then
    for c in ocamlopt ocamljit-opt; do
      exe=$(command -v ocamlopt.opt)
      [ "$c" = ocamljit-opt ] && exe=$build/bin/ocamljit-opt
      printf 'stdlib\t%s\t/dev/null\t/bin/sh\t%s\t%s\t%s\t%s\n' "$c" "$here/compile_stdlib.sh" \
        "$exe" "$build/ocaml-src/ocaml-4.13.1/stdlib" "$work/stdlib-$c" >> "$plan"
    done
  else
    printf 'stdlib\tocamljit-opt\n' >> "$missing"
  fi
fi

# -R: keep only the selected workloads' plan lines.
if [ "$rows" != all ]; then
  for p in "$plan" "$compute_plan" "$corpus_plan" "$missing"; do
    awk -F '\t' -v rows=",$rows," '$1 == "*" || index(rows, "," $1 ",")' "$p" > "$p.sel" && mv "$p.sel" "$p"
  done
fi

# --- runs ---------------------------------------------------------------------------
samples=$out/samples.tsv
load_before=$(cut -d' ' -f1 /proc/loadavg)
echo "bench: $runs runs after $warmup warm-up round(s), interleaved; see $out" >&2
: > "$samples"
[ -s "$plan" ] && "$runner" -r "$runs" -w "$warmup" -t 600 -o "$out/runs" "$plan" > "$samples"
if [ -s "$compute_plan" ]; then
  "$runner" -r "$compute_runs" -w 0 -t 600 -o "$out/runs" "$compute_plan" >> "$samples"
fi
if [ -s "$corpus_plan" ]; then
  "$runner" -r 1 -w 0 -t 1800 -o "$out/runs" "$corpus_plan" >> "$samples"
fi

# Output check (last run): every toplevel must print what `ocaml` prints, banner aside.
checks=$work/checks.tsv
: > "$checks"
# findlib's progress lines name different archives (.cma, .cmxa): not compared.
strip_banner() { sed '/OCaml version/d' "$1" | sed '/./,$!d' | grep -Ev ': loaded$|: added to search path$' || true; }
for f in "$out"/runs/*.out; do
  [ -e "$f" ] || continue
  b=$(basename "$f" .out)
  wl=${b%%.*} sys=${b#*.}
  ref=$out/runs/$wl.ocaml.out
  [ -f "$ref" ] && [ "$sys" != ocaml ] || continue
  case $sys in
    ocamlopt) # a program, not a toplevel: compare the result line only
      a=$(grep '^result:' "$f" || true); b2=$(grep '^result:' "$ref" || true)
      [ -n "$a" ] && [ "$a" = "$b2" ] && st=same || st=differs ;;
    ocamljit-doc) continue ;;
    *) strip_banner "$f" > "$work/a.txt"; strip_banner "$ref" > "$work/b.txt"
       cmp -s "$work/a.txt" "$work/b.txt" && st=same || st=differs ;;
  esac
  printf '%s\t%s\t%s\n' "$wl" "$sys" "$st" >> "$checks"
done

# --- inside ocamljit: one untimed session per loader with OCAMLJIT_TIMINGS ------------
timings=$work/timings.tsv
: > "$timings"
for sys in ocamljit ocamljit-external; do
  want phrases || continue
  line=$(grep "^$sys$tab" "$systems_file" || true)
  [ -n "$line" ] || continue
  f=$out/timings-$sys.tsv
  rm -f "$f"
  if [ "$sys" = ocamljit-external ]; then
    OCAMLJIT_LOADER=external OCAMLJIT_TIMINGS=$f "$build/bin/ocamljit" -noprompt -noinit \
      < "$work/phrases.ml" > /dev/null 2>&1 || true
  else
    OCAMLJIT_TIMINGS=$f "$build/bin/ocamljit" -noprompt -noinit \
      < "$work/phrases.ml" > /dev/null 2>&1 || true
  fi
  if [ -s "$f" ]; then sed "s/^/$sys$tab/" "$f" >> "$timings"; fi
done

rm -f "$out/latency.dat"
# --- report -------------------------------------------------------------------------
machine="$(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1),"
machine="$machine $(awk '/^MemTotal/ { printf "%.1f GiB RAM", $2 / 1048576 }' /proc/meminfo)"
{
  printf 'ocamljit benchmark, %s, %s\n' "$(date -u '+%Y-%m-%d %H:%M UTC')" "$machine"
  printf '%s runs after %s warm-up round(s), interleaved (compute: %s runs); %s phrases per session\n' \
    "$runs" "$warmup" "$compute_runs" "$phrases"
  printf 'load average (1 min) before: %s, after: %s\n\n' "$load_before" "$(cut -d' ' -f1 /proc/loadavg)"
  awk -F '\t' -v phrases="$phrases" -v latency="$out/latency.dat" -f "$here/report.awk" \
    "$samples" "$missing" "$checks" "$timings"
  # Issue 13's rows: system calls per phrase, the long session, the assembler's throughput.
  if [ "$smoke" = 0 ]; then
    printf '\n'
    sh "$here/speed_rows.sh" "$build" "$work" "$out" "$rows" "$work/phrases.ml" "$phrases" "$long_phrases" "$runs" || true
  fi
} > "$out/table.txt"
# #require "base" inside ocamljit: its libraries' phases (OCAMLJIT_TIMINGS library= lines),
# summed over the libraries of one session, median of 5 untimed sessions.
if [ "$smoke" = 0 ] && want require && [ -x "$build/bin/ocamljit" ]; then
  printf '#use "topfind";;\n#require "base";;\n' > "$work/require-only.ml"
  for i in 1 2 3 4 5; do
    rm -f "$work/require-timings.tsv"
    OCAMLJIT_TIMINGS=$work/require-timings.tsv "$build/bin/ocamljit" -noprompt -noinit \
      < "$work/require-only.ml" > /dev/null 2>&1 || true
    grep '^library=' "$work/require-timings.tsv" | grep -v /findlib/ | awk -F '\t' '
      { n++; for (f = 2; f <= NF; f++) { split($f, kv, "="); t[kv[1]] += kv[2] } }
      END { printf "%d\t%d\t%d\t%d\t%d\t%d\n", n, t["check_us"], t["read_us"], t["link_us"], t["register_us"], t["init_us"] }'
  done > "$work/require-phases.tsv"
  awk -F '\t' '
    function med(c,   i, j, x, m) { m = NR; for (i = 1; i <= m; i++) a[i] = v[c, i]
      for (i = 2; i <= m; i++) { x = a[i]; for (j = i - 1; j >= 1 && a[j] > x; j--) a[j + 1] = a[j]; a[j + 1] = x }
      return (m % 2) ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2 }
    { for (c = 1; c <= NF; c++) v[c, NR] = $c }
    END { if (NR == 0) exit
      printf "\n#require \"base\" inside ocamljit (%d libraries, median of %d sessions, ms):\n", med(1), NR
      printf "  check (.cmxa, CRCs, generic functions) %.1f, read archives %.1f, link %.1f, register %.1f, initialise %.1f; total %.1f\n",
        med(2) / 1000, med(3) / 1000, med(4) / 1000, med(5) / 1000, med(6) / 1000,
        (med(2) + med(3) + med(4) + med(5) + med(6)) / 1000 }' "$work/require-phases.tsv" >> "$out/table.txt"
fi
cat "$out/table.txt"

rm -f "$out/latency.svg"
if command -v gnuplot > /dev/null && [ -s "$out/latency.dat" ]; then
  gnuplot -e "datafile='$out/latency.dat'; outfile='$out/latency.svg'; phrases=$phrases" "$here/latency.gp"
  echo "chart: $out/latency.svg" >&2
fi
