#!/bin/sh
# Debugger/profiler visibility of JIT code and toplevel robustness (issue 14).
# usage: run.sh OCAMLJIT JITDUMP_READ WORKDIR
set -eu
OCAMLJIT=$1
JITDUMP_READ=$2
WORK=$3/work
HERE=$(cd "$(dirname "$0")" && pwd)
rm -rf "$WORK" && mkdir -p "$WORK"
cd "$WORK"
failures=0
fail() { echo "test-debug: FAIL: $*" >&2; failures=$((failures + 1)); }
pass() { echo "test-debug: ok: $*"; }

# --- gdb: a segfault deep in phrase code ------------------------------------------
# gdb stops at the SIGSEGV; bt must name the phrase's functions, from the
# faulting one down through the recursion to the phrase's entry.
gdb -nx -batch -ex run -ex bt --args "$OCAMLJIT" -noprompt "$HERE/crash.ml" > crash.gdb 2>&1 || true
if grep -q 'SIGSEGV' crash.gdb \
   && [ "$(grep -c '^#[0-9]* .* camlTOP[0-9]*__descend_[0-9]* ' crash.gdb)" -ge 6 ] \
   && grep -q '^#[0-9]* .* camlTOP[0-9]*__start_[0-9]* ' crash.gdb \
   && grep -q '^#[0-9]* .* camlTOP[0-9]*__entry ' crash.gdb \
   && grep -q 'descend.* at .*crash.ml:4' crash.gdb; then
  pass "gdb bt through a segfaulting phrase"
else
  fail "gdb bt of crash.ml does not show the phrase frames (see $WORK/crash.gdb)"; cat crash.gdb >&2
fi

# --- gdb: breakpoints in C primitives called from phrase code ---------------------
# caml_blit_bytes is called directly (noalloc); 8485 is the tagged length 4242.
gdb -nx -batch -ex 'set breakpoint pending on' -ex 'break caml_blit_bytes if $r8 == 8485' \
    -ex 'break caml_gc_compaction' -ex run -ex bt -ex continue -ex bt -ex continue \
    --args "$OCAMLJIT" -noprompt "$HERE/primitive.ml" > primitive.gdb 2>&1 || true
blit_bt=$(sed -n '/in caml_blit_bytes/,/^Breakpoint\|^\[Inferior/p' primitive.gdb)
if echo "$blit_bt" | grep -q 'camlStdlib__Bytes__blit_' \
   && [ "$(echo "$blit_bt" | grep -c 'camlTOP[0-9]*__outer_[0-9]*')" -ge 4 ] \
   && echo "$blit_bt" | grep -q 'camlTOP[0-9]*__go_[0-9]*'; then
  pass "gdb bt from a noalloc C primitive (caml_blit_bytes)"
else
  fail "bt at caml_blit_bytes lacks the phrase frames (see $WORK/primitive.gdb)"; cat primitive.gdb >&2
fi
compact_bt=$(sed -n '/in caml_gc_compaction/,/^Breakpoint\|^\[Inferior/p' primitive.gdb)
if echo "$compact_bt" | grep -q 'camlTOP[0-9]*__compact_here_[0-9]*'; then
  pass "gdb bt from a C primitive called through caml_c_call (caml_gc_compaction)"
else
  fail "bt at caml_gc_compaction lacks compact_here (see $WORK/primitive.gdb)"; cat primitive.gdb >&2
fi

# --- gdb: break on a phrase function by name, info symbol, source line ------------
cat > fib.ml <<'ML'
let rec fib n = if n < 2 then n else fib (n - 1) + fib (n - 2)
let () = Printf.printf "fib=%d\n" (fib 15)
ML
gdb -nx -batch -ex 'set breakpoint pending on' -ex 'break caml_sys_exit' -ex run \
    -ex 'info functions ^camlTOP1__fib_' \
    --args "$OCAMLJIT" -noprompt fib.ml > fib-info.gdb 2>&1 || true
fib=$(sed -n 's/^\tvoid \(camlTOP1__fib_[0-9]*\)(void);$/\1/p' fib-info.gdb | head -1)
if [ -n "$fib" ]; then
  gdb -nx -batch -ex 'set breakpoint pending on' -ex "break $fib" -ex run -ex bt -ex 'info symbol $pc' \
      -ex 'info line *$pc' --args "$OCAMLJIT" -noprompt fib.ml > fib.gdb 2>&1 || true
  if grep -q "^Breakpoint 1, .*$fib" fib.gdb && grep -q "$fib in section .text" fib.gdb \
     && grep -q 'Line 1 of ".*fib.ml"' fib.gdb; then
    pass "break $fib, info symbol, info line"
  else
    fail "breakpoint on $fib (see $WORK/fib.gdb)"; cat fib.gdb >&2
  fi
else
  fail "gdb does not list camlTOP1__fib_* (see $WORK/fib-info.gdb)"; cat fib-info.gdb >&2
fi

# --- gdb: a backtrace through a library linked in memory (#load "str.cmxa") -------
# re_search_forward is a C stub of libcamlstr.a, called by Str.search_forward:
# both live in the library's merged group, which is registered as one unit.
gdb -nx -batch -ex 'set breakpoint pending on' -ex 'break re_search_forward' -ex run -ex bt \
    --args "$OCAMLJIT" -noprompt "$HERE/library.ml" > library.gdb 2>&1 || true
if grep -q '^#0 .*re_search_forward' library.gdb \
   && grep -q '^#[0-9]* .* camlStr__search_forward_[0-9]* ' library.gdb \
   && grep -q '^#[0-9]* .* camlTOP[0-9]*__find_word_[0-9]* ' library.gdb \
   && grep -q '^#[0-9]* .* camlTOP[0-9]*__entry ' library.gdb; then
  pass "gdb bt through a library's C stub and OCaml code (str)"
else
  fail "bt at re_search_forward lacks the library or phrase frames (see $WORK/library.gdb)"; cat library.gdb >&2
fi

# --- gdb attaching later (gdb -p) and reading a core file ---------------------------
# Units are registered whether or not a debugger is attached: one that attaches
# later, and one that reads a core file written then, see every unit.
cat > attach.ml <<'ML'
let rec fib n = if n < 2 then n else fib (n - 1) + fib (n - 2)
let wait_for_gdb () = print_endline "ready"; input_line stdin
let () = print_endline (wait_for_gdb () ^ string_of_int (fib 10))
ML
rm -f attach.fifo attach.out core.attach*; mkfifo attach.fifo
"$OCAMLJIT" -noprompt attach.ml < attach.fifo > attach.out 2>&1 &
attached_pid=$!
exec 3> attach.fifo
for _ in $(seq 100); do grep -q ready attach.out && break; sleep 0.1; done
timeout 120 gdb -nx -batch -p "$attached_pid" -ex bt -ex 'info functions ^camlTOP1__fib_' \
    -ex 'gcore core.attach' > attach.gdb 2>&1 || true
echo go >&3; exec 3>&-
wait "$attached_pid" || true
timeout 120 gdb -nx -batch -ex bt -ex 'info functions ^camlTOP1__fib_' "$OCAMLJIT" core.attach \
    > core.gdb 2>&1 || true
for f in attach.gdb core.gdb; do
  if grep -q '^#[0-9]* .* camlTOP[0-9]*__entry () at .*attach.ml:2' $f \
     && grep -q '^	void camlTOP1__fib_[0-9]*(void);' $f; then
    pass "gdb sees the phrases: $( [ $f = attach.gdb ] && echo 'attached later (gdb -p)' || echo 'from a core file')"
  else
    fail "phrases missing in $f (see $WORK/$f)"; cat $f >&2
  fi
done
grep -qx 'go55' attach.out || fail "the attached session did not go on (see $WORK/attach.out)"
rm -f core.attach

# --- perf jitdump -------------------------------------------------------------------
rm -f jit-*.dump perf-*.map
cat > profiled.ml <<'ML'
let rec fib n = if n < 2 then n else fib (n - 1) + fib (n - 2)
let square x = x * x
let () = Printf.printf "%d %d\n" (fib 20) (square 12)
ML
OCAMLJIT_PERF=jitdump OCAMLJIT_JITDUMP_DIR=$WORK OCAMLJIT_PERF_MAP=1 "$OCAMLJIT" -noprompt profiled.ml > profiled.out
pid_files=$(ls jit-*.dump 2>/dev/null | wc -l)
if [ "$pid_files" -ne 1 ]; then
  fail "OCAMLJIT_PERF=jitdump wrote $pid_files jit-PID.dump files"
else
  dump=$(ls jit-*.dump)
  pid=${dump#jit-}; pid=${pid%.dump}
  if "$JITDUMP_READ" "$dump" > dump.txt; then
    grep '^LOAD ' dump.txt | sed 's/^LOAD //' > dump-loads.txt
    # The perf map lists the same functions, written independently by the loader.
    if [ -s dump-loads.txt ] && cmp -s dump-loads.txt "/tmp/perf-$pid.map" \
       && grep -q ' camlTOP1__fib_[0-9]*$' dump-loads.txt && grep -q ' camlTOP2__square_[0-9]*$' dump-loads.txt \
       && grep -q '^DEBUG .*profiled.ml:1$' dump.txt && grep -q '^DEBUG .*profiled.ml:2$' dump.txt; then
      pass "jitdump parses; $(wc -l < dump-loads.txt) CODE_LOAD records match the loaded functions"
    else
      fail "jitdump records differ from the perf map or lack the phrase functions (see $WORK/dump.txt)"
      diff dump-loads.txt "/tmp/perf-$pid.map" >&2 || true
    fi
  else
    fail "jitdump_read rejected $dump"
  fi
  rm -f "/tmp/perf-$pid.map"
fi

# --- Ctrl-C during a running phrase: "Interrupted." and the session goes on --------
sh "$HERE/interrupt.sh" "$OCAMLJIT" > interrupt.out 2>&1 && pass "SIGINT interrupts a running phrase" \
  || { fail "SIGINT during a phrase (see $WORK/interrupt.out)"; cat interrupt.out >&2; }

# --- nested evaluation: a phrase that evaluates phrases, against `ocaml` -------------
# Native only: the toplevel's own modules come without .cmx (warning 58 on Toploop).
no_toploop_cmx() {
  awk '/^File "_none_", line 1:$/ { held = $0; next }
       held != "" { if ($0 !~ /module Toploop,/) print held; held = "" ; if ($0 ~ /module Toploop,/) next }
       { print }'
}
"$OCAMLJIT" -noprompt -noinit < "$HERE/nested.ml" 2>&1 | grep -v 'OCaml version' | no_toploop_cmx > nested.out || true
ocaml -noprompt -noinit < "$HERE/nested.ml" 2>&1 | grep -v 'OCaml version' > nested.expected || true
if diff -u nested.expected nested.out; then pass "nested evaluation"
else fail "nested evaluation output differs from ocaml's"; fi

# --- fuzzer crashers: each must leave the session alive -------------------------
# (Big inputs are kept gzipped.)
for f in "$HERE"/../fuzz/toplevel-crashers/*.ml "$HERE"/../fuzz/toplevel-crashers/*.ml.gz; do
  [ -e "$f" ] || continue
  case $f in *.gz) zcat "$f" ;; *) cat "$f" ;; esac > replay.ml
  printf '\n;;\nprint_endline "session goes on";;\n' >> replay.ml
  if "$OCAMLJIT" -noprompt -noinit < replay.ml > replay.out 2>&1 && grep -qx 'session goes on' replay.out; then
    pass "fuzz crasher $(basename "$f")"
  else
    fail "fuzz crasher $(basename "$f") still breaks the session"; tail -n 5 replay.out >&2
  fi
done

[ "$failures" -eq 0 ] || { echo "test-debug: $failures failure(s)" >&2; exit 1; }
echo "test-debug: all passed"
