#!/bin/sh
# Compares a suite's results with its list of known differences and prints
# the suite's summary line. Fails on a failure not in the list, and on a
# listed test that passes (the list may only shrink: remove it).
# Usage: verdict.sh SUITE LOADER RESULTS KNOWN
# RESULTS: lines "pass|fail|n/a TEST [details]". KNOWN: lines "TEST reason",
# TEST optionally suffixed "@LOADER" when only that loader differs; '#' comments.
suite=$1 loader=$2 results=$3 known=$4
awk -v suite="$suite" -v loader="$loader" -v known="$known" '
  BEGIN {
    while ((getline line < known) > 0) {
      if (line ~ /^[ \t]*(#|$)/) continue
      split(line, f, /[ \t]+/); name = f[1]
      if (index(name, "@")) {
        split(name, nl, "@"); if (nl[2] != loader) continue; name = nl[1]
      }
      listed[name] = 1
    }
  }
  { status = $1; test = $2; total++
    if (status == "n/a") { na++; next }
    if (status == "pass") {
      pass++
      if (test in listed) { stale++; print suite " [" loader "]: " test " now passes: remove it from " known }
    } else if (test in listed) {
      knownfail++
    } else {
      bad++; print suite " [" loader "]: UNEXPECTED FAILURE: " $0
    }
    seen[test] = 1
  }
  END {
    for (t in listed) if (!(t in seen)) {
      stale++; print suite " [" loader "]: " t " is listed but was not run: remove it from " known
    }
    applicable = total - na
    printf "%s [%s]: %d/%d pass, %d known differences, %d not applicable", suite, loader, pass, applicable, knownfail, na
    if (bad || stale) printf " -- FAILED (%d unexpected failures, %d stale list entries)", bad, stale
    printf "\n"
    exit (bad || stale) ? 1 : 0
  }' "$results"
