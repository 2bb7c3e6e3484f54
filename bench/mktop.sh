#!/bin/sh
# `make bench` rows of ocamljit-mktop and the embedded interfaces (issue 11): executable
# sizes, and start-up (a session of one phrase, `1;;`) next to the bytecode `ocaml`:
#   ocaml                  the bytecode toplevel
#   ocaml+require          ocaml, #use "topfind", #require "base,zarith" (what mytop replaces)
#   ocamljit               the self-contained ocamljit (stdlib interfaces embedded)
#   ocamljit-hidden        the same in a mount namespace without /usr/lib/ocaml (includes
#                          unshare + two mounts; root only)
#   mytop                  ocamljit-mktop -package base,zarith
#   mytop-no-embed         the same with -no-embed all (interfaces read from /usr/lib/ocaml)
# CPU time (user + sys) is the figure other processes on a shared machine disturb least.
# Usage: bench/mktop.sh [-r RUNS] [-w WARMUP] [-s] BUILD_DIR   (-s: smoke, one run)
set -eu
runs=7 warmup=1 smoke=0
while getopts r:w:s opt; do
  case $opt in r) runs=$OPTARG ;; w) warmup=$OPTARG ;; s) smoke=1 runs=1 warmup=0 ;; *) exit 2 ;; esac
done
shift $((OPTIND - 1))
[ $# -eq 1 ] || { echo "usage: bench/mktop.sh [-r N] [-w N] [-s] BUILD_DIR" >&2; exit 2; }
build=$(cd "$1" && pwd)
out=$build/bench/mktop
[ "$smoke" = 1 ] && out=$build/bench/mktop-smoke
work=$out/work
rm -rf "$out" && mkdir -p "$work" "$out/runs"
unset OCAMLRUNPARAM OCAMLPARAM OCAMLJIT_LOADER
tab=$(printf '\t')

# The toplevels (built here: their build time is no part of the figures).
(cd "$work" && "$build/bin/ocamljit-mktop" -package base,zarith -o mytop \
  && "$build/bin/ocamljit-mktop" -package base,zarith -no-embed all -o mytop-no-embed)

echo '1;;' > "$work/startup.ml"
printf '#use "topfind";;\n#require "base,zarith";;\n1;;\n' > "$work/startup-require.ml"
cat > "$work/hidden.sh" <<'HIDE'
# hidden.sh CMD...: CMD without /usr/lib/ocaml (an empty tmpfs over it).
mount -t tmpfs none /usr/lib/ocaml && exec "$@"
HIDE
ocaml=$(command -v ocaml)
plan=$work/plan.tsv
{
  printf 'startup\tocaml\t%s\t%s\t-noprompt\t-noinit\n' "$work/startup.ml" "$ocaml"
  printf 'startup\tocaml+require\t%s\t%s\t-noprompt\t-noinit\n' "$work/startup-require.ml" "$ocaml"
  printf 'startup\tocamljit\t%s\t%s\t-noprompt\t-noinit\n' "$work/startup.ml" "$build/bin/ocamljit"
  if [ "$(id -u)" = 0 ] && command -v unshare > /dev/null; then
    printf 'startup\tocamljit-hidden\t%s\t%s\t-m\t/bin/sh\t%s\t%s\t-noprompt\t-noinit\n' "$work/startup.ml" \
      "$(command -v unshare)" "$work/hidden.sh" "$build/bin/ocamljit"
  fi
  printf 'startup\tmytop\t%s\t%s\t-noprompt\t-noinit\n' "$work/startup.ml" "$work/mytop"
  printf 'startup\tmytop-no-embed\t%s\t%s\t-noprompt\t-noinit\n' "$work/startup.ml" "$work/mytop-no-embed"
} > "$plan"
"$build/bench/bench-runner" -r "$runs" -w "$warmup" -t 120 -o "$out/runs" "$plan" > "$out/samples.tsv"

size() { stat -c %s "$1"; }
machine="$(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
{
  printf 'ocamljit-mktop and embedded interfaces, %s, %s\n' "$(date -u '+%Y-%m-%d %H:%M UTC')" "$machine"
  printf '%s runs after %s warm-up round(s), interleaved; load average %s\n\n' "$runs" "$warmup" \
    "$(cut -d' ' -f1 /proc/loadavg)"
  printf 'executable sizes (bytes)\n'
  printf '  %-34s %10s\n' "ocamljit" "$(size "$build/bin/ocamljit")"
  printf '  %-34s %10s\n' "  of which stdlib interfaces" "$(size "$build/cmi_bundle/stdlib_interfaces.o")"
  printf '  %-34s %10s\n' "mytop (-package base,zarith)" "$(size "$work/mytop")"
  printf '  %-34s %10s\n' "mytop -no-embed all" "$(size "$work/mytop-no-embed")"
  printf '\nstart-up (one phrase), medians\n'
  awk -F '\t' '
    $3 > 0 { n[$2]++; wall[$2, n[$2]] = $4 / 1000; cpu[$2, n[$2]] = $5 / 1000; st[$2] = st[$2] " " $7
             if (!($2 in order)) { order[$2] = ++k; name[k] = $2 } }
    function median(a, s, c,   i, j, t, v) {
      for (i = 1; i <= c; i++) v[i] = a[s, i]
      for (i = 2; i <= c; i++) for (j = i; j > 1 && v[j - 1] > v[j]; j--) { t = v[j]; v[j] = v[j - 1]; v[j - 1] = t }
      return c % 2 ? v[(c + 1) / 2] : (v[c / 2] + v[c / 2 + 1]) / 2 }
    END {
      printf "  %-18s %10s %10s %12s %12s  %s\n", "system", "CPU ms", "wall ms", "CPU/ocaml", "wall/ocaml", "exit"
      bc = median(cpu, "ocaml", n["ocaml"]); bw = median(wall, "ocaml", n["ocaml"])
      for (i = 1; i <= k; i++) {
        s = name[i]; c = median(cpu, s, n[s]); w = median(wall, s, n[s])
        printf "  %-18s %10.1f %10.1f %11.2fx %11.2fx  %s\n", s, c, w, c / bc, w / bw, st[s] }
    }' "$out/samples.tsv"
} > "$out/table.txt"
cat "$out/table.txt"
