# Turns the runner's samples into the `make bench` table (POSIX awk; mawk and gawk).
# Arguments: SAMPLES MISSING CHECKS TIMINGS (tab-separated files, any may be empty);
# variables: phrases (phrases per latency session), latency (path of the chart's data file).
#   SAMPLES: workload system round wall_us cpu_us rss_kb status [key=value ...]  (round <= 0: warm-up)
#   MISSING: workload system        ("*" as workload: every toplevel workload)
#   CHECKS:  workload system same|differs
#   TIMINGS: system key=value ...   (one line per phrase, from OCAMLJIT_TIMINGS)

FILENAME == ARGV[1] {
  if ($3 <= 0) next
  k = $1 SUBSEP $2
  if (!(k in n)) { n[k] = 0; seen_wl[$1] = 1; seen_sys[$2] = 1 }
  if ($7 != "0") { failed[k]++; status[k] = $7; next }
  i = ++n[k]
  val["wall", k, i] = $4 / 1000.0     # ms
  val["cpu", k, i] = $5 / 1000.0      # ms
  val["rss", k, i] = $6 / 1024.0      # MiB
  for (f = 8; f <= NF; f++)
    if ($f ~ /^exec_ms=/) { split($f, kv, "="); val["exec", k, ++nexec[k]] = kv[2] + 0 }
  next
}
FILENAME == ARGV[2] { missing[$1 SUBSEP $2] = 1; seen_sys[$2] = 1; if ($1 != "*") seen_wl[$1] = 1; next }
FILENAME == ARGV[3] { check[$1 SUBSEP $2] = $3; next }
FILENAME == ARGV[4] {
  s = $1
  if (!(s in nt)) { nt[s] = 0; tsys[++ntsys] = s }
  i = ++nt[s]
  for (f = 2; f <= NF; f++) {
    eq = index($f, "=")
    if (eq == 0) continue
    key = substr($f, 1, eq - 1)
    tv[s, key, i] = substr($f, eq + 1) + 0
    thas[s, key] = 1
  }
  next
}

# Sorts tmp[1..m] ascending (insertion sort: a handful of samples).
function sort_tmp(m,    i, j, x) {
  for (i = 2; i <= m; i++) {
    x = tmp[i]
    for (j = i - 1; j >= 1 && tmp[j] > x; j--) tmp[j + 1] = tmp[j]
    tmp[j + 1] = x
  }
}
function median_tmp(m) {
  sort_tmp(m)
  return (m % 2) ? tmp[(m + 1) / 2] : (tmp[m / 2] + tmp[m / 2 + 1]) / 2
}
# Sets MED, MIN, MAX of measure what ("wall", "cpu", "rss", "exec") of key k; returns the count.
function stats(what, k, count,    i) {
  if (count < 1) return 0
  for (i = 1; i <= count; i++) tmp[i] = val[what, k, i]
  MED = median_tmp(count); MIN = tmp[1]; MAX = tmp[count]
  return count
}
function fmt_ms(x) {
  if (x < 0) return sprintf("%.3f", x)
  if (x < 1) return sprintf("%.3f", x)
  if (x < 10) return sprintf("%.2f", x)
  if (x < 100) return sprintf("%.1f", x)
  return sprintf("%.0f", x)
}
function ratio(x, base) { return (base > 0) ? sprintf("%.2f", x / base) : "-" }
# One table row; ratios are this row's median over the baseline's median, same workload wl.
function row(wl, sys, med, lo, hi, cpu, rss, k,    r1, r2, r3, out) {
  r1 = ((wl SUBSEP "ocaml") in rmed) ? ratio(med, rmed[wl, "ocaml"]) : "-"
  r2 = ((wl SUBSEP "ocamlnat") in rmed) ? ratio(med, rmed[wl, "ocamlnat"]) : "-"
  r3 = ((wl SUBSEP "ocamlopt") in rmed) ? ratio(med, rmed[wl, "ocamlopt"]) : "-"
  out = (k in check) ? check[k] : "-"
  if (k in failed) out = out " (" failed[k] " failed: " status[k] ")"
  printf "%-14s %-18s %9s %17s %9s %8s %7s %9s %9s  %s\n", label[wl], sys, fmt_ms(med), \
    fmt_ms(lo) ".." fmt_ms(hi), cpu, rss, r1, r2, r3, out
}
function not_built(label, sys) {
  printf "%-14s %-18s %9s\n", label, sys, "not built"
}

END {
  nsys = split("ocamljit ocamljit-doc ocamljit-opt ocamljit-external ocamlnat ocaml ocamlopt", order, " ")
  nwl = split("startup phrases latency compute exec doc stdlib corpus require", wls, " ")
  label["require"] = "require"
  label["startup"] = "startup"; label["phrases"] = "phrases"
  label["latency"] = "per-phrase"; label["compute"] = "compute"; label["exec"] = "compute-exec"
  label["doc"] = "doc"; label["stdlib"] = "stdlib"; label["corpus"] = "expect-corpus"

  # Pass 1: medians of every row, so that ratios can refer to any baseline.
  for (s = 1; s <= nsys; s++) {
    sys = order[s]
    for (w = 1; w <= nwl; w++) {
      wl = wls[w]
      if (wl == "latency") {
        ks = "startup" SUBSEP sys; kp = "phrases" SUBSEP sys
        if (stats("wall", ks, n[ks]) < 1) continue
        ms = MED; mins = MIN; maxs = MAX
        if (stats("wall", kp, n[kp]) < 1) continue
        rmed[wl, sys] = (MED - ms) / phrases
        rlo[wl, sys] = (MIN - maxs) / phrases; rhi[wl, sys] = (MAX - mins) / phrases
        stats("cpu", ks, n[ks]); ms = MED
        stats("cpu", kp, n[kp]); cpu_latency[sys] = (MED - ms) / phrases
        rcpu[wl, sys] = fmt_ms(cpu_latency[sys])
      } else if (wl == "exec") {
        k = "compute" SUBSEP sys
        if (stats("exec", k, nexec[k]) < 1) continue
        rmed[wl, sys] = MED; rlo[wl, sys] = MIN; rhi[wl, sys] = MAX
      } else {
        k = wl SUBSEP sys
        if (stats("wall", k, n[k]) < 1) continue
        rmed[wl, sys] = MED; rlo[wl, sys] = MIN; rhi[wl, sys] = MAX
        stats("rss", k, n[k]); rrss[wl, sys] = sprintf("%.1f", MED)
        stats("cpu", k, n[k]); rcpu[wl, sys] = fmt_ms(MED)
      }
    }
  }

  printf "%-14s %-18s %9s %17s %9s %8s %7s %9s %9s  %s\n", "workload", "system", "wall ms", \
    "wall min..max", "cpu ms", "RSS MiB", "/ocaml", "/ocamlnat", "/ocamlopt", "output"
  for (w = 1; w <= nwl; w++) {
    wl = wls[w]
    printed = 0
    for (s = 1; s <= nsys; s++) {
      sys = order[s]
      if ((wl SUBSEP sys) in rmed) {
        rss = ((wl SUBSEP sys) in rrss) ? rrss[wl, sys] : "-"
        cpu = ((wl SUBSEP sys) in rcpu) ? rcpu[wl, sys] : "-"
        kk = (wl == "latency" || wl == "exec") ? "" : wl SUBSEP sys
        row(wl, sys, rmed[wl, sys], rlo[wl, sys], rhi[wl, sys], cpu, rss, kk)
        if (wl == "latency") printf "%s\t%.4f\t%.4f\t%.4f\t%.4f\n", sys, rmed[wl, sys], rlo[wl, sys], \
          rhi[wl, sys], cpu_latency[sys] > latency
        printed = 1
      } else if ((wl SUBSEP sys) in failed) {
        printf "%-14s %-18s %9s  (%d runs failed: %s)\n", label[wl], sys, "failed", failed[wl, sys], status[wl, sys]
        printed = 1
      } else if (((wl SUBSEP sys) in missing) || ((("*" SUBSEP sys) in missing) && (wl in seen_wl) && \
                 (wl == "startup" || wl == "phrases" || wl == "compute"))) {
        not_built(label[wl], sys)
        printed = 1
      }
    }
    if (printed) printf "\n"
  }

  if (ntsys == 0) print "Inside ocamljit: no OCAMLJIT_TIMINGS data (this ocamljit does not write it)."
  else timings_table()
  targets()
}

# DESIGN.md's targets for ocamljit (its default loader), against this run's medians.
function target(what, goal, value, ok) {
  printf "  %-44s %-10s %-12s %s\n", what, goal, value, (value == "-") ? "-" : (ok ? "met" : "not met")
}
function targets(    lat, ex, st, v) {
  printf "\nTargets (issue 13) for ocamljit:\n"
  lat = ("latency" SUBSEP "ocaml") in rmed && ("latency" SUBSEP "ocamljit") in rmed && \
    rmed["latency", "ocaml"] > 0 && rmed["latency", "ocamljit"] > 0
  v = lat ? rmed["latency", "ocamljit"] / rmed["latency", "ocaml"] : 0
  target("per-phrase latency / ocaml's", "<= 0.5", lat ? sprintf("%.2f", v) : "-", v <= 0.5)
  lat = ("latency" SUBSEP "ocamlnat") in rmed && ("latency" SUBSEP "ocamljit") in rmed && \
    rmed["latency", "ocamljit"] > 0 && rmed["latency", "ocamlnat"] > 0
  v = lat ? rmed["latency", "ocamlnat"] / rmed["latency", "ocamljit"] : 0
  target("speed-up of per-phrase latency over ocamlnat", ">= 100", lat ? sprintf("%.1f", v) : "-", v >= 100)
  ex = ("exec" SUBSEP "ocamlopt") in rmed && ("exec" SUBSEP "ocamljit") in rmed && rmed["exec", "ocamljit"] > 0
  v = ex ? rmed["exec", "ocamlopt"] / rmed["exec", "ocamljit"] : 0
  target("execution speed / ocamlopt's (compute-exec)", ">= 0.97", ex ? sprintf("%.2f", v) : "-", v >= 0.97)
  target("JIT share of a phrase", "<= 5 %", ("ocamljit" in jit_share) ? sprintf("%.1f %%", jit_share["ocamljit"]) : "-", \
    jit_share["ocamljit"] <= 5)
  st = ("startup" SUBSEP "ocaml") in rmed && ("startup" SUBSEP "ocamljit") in rmed && rmed["startup", "ocaml"] > 0
  v = st ? rmed["startup", "ocamljit"] / rmed["startup", "ocaml"] : 0
  target("start-up / ocaml's", "<= 0.7", st ? sprintf("%.2f", v) : "-", v <= 0.7)
}

function timings_table(    t, s, j, key, m, i, tot, nkeys) {
  nkeys = split("parse typing translate compile assemble link load run print total", keys, " ")
  printf "Inside ocamljit (OCAMLJIT_TIMINGS): median per phrase, microseconds\n"
  printf "%-18s", "system"
  for (j = 1; j <= nkeys; j++) printf " %9s", keys[j]
  printf " %9s %10s\n", "other", "JIT share"
  for (t = 1; t <= ntsys; t++) {
    s = tsys[t]
    printf "%-18s", s
    for (j = 1; j <= nkeys; j++) {
      key = keys[j] "_us"
      if (!((s SUBSEP key) in thas)) { printf " %9s", "-"; continue }
      m = 0
      for (i = 1; i <= nt[s]; i++) if ((s SUBSEP key SUBSEP i) in tv) tmp[++m] = tv[s, key, i]
      printf " %9.0f", median_tmp(m)
    }
    # What the phases do not cover (printing the result, the toplevel's own bookkeeping).
    m = 0
    for (i = 1; i <= nt[s]; i++) {
      if (!((s SUBSEP "total_us" SUBSEP i) in tv)) continue
      tot = tv[s, "total_us", i]
      for (j = 1; j < nkeys; j++) if ((s SUBSEP keys[j] "_us" SUBSEP i) in tv) tot -= tv[s, keys[j] "_us", i]
      tmp[++m] = tot
    }
    if (m > 0) printf " %9.0f", median_tmp(m); else printf " %9s", "-"
    # The JIT's own share: assemble + link + load, as a percentage of the phrase's total.
    m = 0
    for (i = 1; i <= nt[s]; i++) {
      tot = tv[s, "total_us", i] + 0
      if (tot <= 0) continue
      tmp[++m] = 100.0 * (tv[s, "assemble_us", i] + tv[s, "link_us", i] + tv[s, "load_us", i]) / tot
    }
    if (m > 0) { jit_share[s] = median_tmp(m); printf " %9.1f%%\n", jit_share[s] } else printf " %10s\n", "-"
  }
}
