#!/bin/sh
# System calls per tiny phrase, counted with strace -c -f (nothing is timed),
# in both ways the JIT memory keeps code never writable and executable:
#   dual mapping (the default): a phrase makes no system call of its own but
#     the write of its output: <= 2 per phrase on average, no mprotect, no
#     getrusage (the compiler's Profile wrappers are not on the path);
#   mprotect (the fallback, forced with OCAMLJIT_JIT_MEMORY=mprotect): still
#     works, with its mprotect calls.
# In both, the session prints what `ocaml` prints and no mapping is ever
# writable and executable (/proc/self/maps, read by a phrase at the end);
# with the dual mapping, the code is mapped read+execute and read-write from
# the same memfd.
# usage: no_syscall.sh OCAMLJIT [PHRASES]
set -u
ocamljit=$1; n=${2:-200}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
here=$(cd "$(dirname "$0")" && pwd)
sh "$here/../../bench/gen_phrases.sh" "$n" > "$tmp/phrases.ml"
# The W^X check, and which dual-mapping file is mapped (a line only ocamljit prints).
cat > "$tmp/maps.ml" <<'ML'
let maps () = let ic = open_in "/proc/self/maps" in
  let rec go acc = match input_line ic with l -> go (l :: acc) | exception End_of_file -> close_in ic; acc in
  go [];;
let perms l = List.nth (String.split_on_char ' ' l) 1;;
let has s l = let n = String.length s in
  let rec at i = i + n <= String.length l && (String.sub l i n = s || at (i + 1)) in at 0;;
let wx = List.filter (fun l -> String.contains (perms l) 'w' && String.contains (perms l) 'x') (maps ());;
let () = Printf.eprintf "memfd mappings: %s\n"
  (String.concat " " (List.map perms (List.filter (has "memfd:ocamljit") (maps ()))));;
ML
cat "$tmp/phrases.ml" "$tmp/maps.ml" > "$tmp/session.ml"
cp "$tmp/maps.ml" "$tmp/empty.ml"  # the baseline: the same session without the phrases
ocaml -noprompt -noinit < "$tmp/session.ml" 2>/dev/null | sed 1d > "$tmp/expected"
status=0
fail() { echo "jit: no-syscall test ($mode): $*"; status=1; }
for mode in dual mprotect; do
  env="OCAMLJIT_JIT_MEMORY=dual"; [ "$mode" = mprotect ] && env="OCAMLJIT_JIT_MEMORY=mprotect"
  # shellcheck disable=SC2086
  env $env strace -f -c -o "$tmp/s-empty" "$ocamljit" -noprompt -noinit < "$tmp/empty.ml" > /dev/null 2>&1 ||
    fail "empty session failed"
  # shellcheck disable=SC2086
  env $env strace -f -c -o "$tmp/s-full" "$ocamljit" -noprompt -noinit < "$tmp/session.ml" \
    > "$tmp/out" 2> "$tmp/err" || fail "session failed"
  sed 1d "$tmp/out" | cmp -s - "$tmp/expected" || { fail "output differs from ocaml's:"; sed 1d "$tmp/out" | diff - "$tmp/expected" | head -20; }
  grep -q '^val wx : string list = \[\]$' "$tmp/out" || fail "a mapping is writable and executable"
  memfd=$(sed -n 's/^memfd mappings: *//p' "$tmp/err")
  # What each session made, per system call (strace -c: the calls are the
  # 4th column, the name the last), and the difference per phrase.
  for f in s-empty s-full; do
    awk '$4 ~ /^[0-9]+$/ && $NF != "total" { print $NF, $4 }' "$tmp/$f" | sort > "$tmp/$f.calls"
  done
  per_phrase=$(join -a 2 -e 0 -o 0,1.2,2.2 "$tmp/s-empty.calls" "$tmp/s-full.calls" |
    awk -v n="$n" '{ d += $3 - $2 } END { printf "%.2f", d / n }')
  extra() { join -a 2 -e 0 -o 0,1.2,2.2 "$tmp/s-empty.calls" "$tmp/s-full.calls" | awk -v s="$1" '$1 == s { print $3 - $2 }'; }
  mprotects=$(extra mprotect); getrusages=$(extra getrusage)
  echo "jit: no-syscall test ($mode): $per_phrase system calls per phrase over $n phrases" \
    "(mprotect +${mprotects:-0}, getrusage +${getrusages:-0}); memfd mappings: ${memfd:-none}"
  [ "${getrusages:-0}" -eq 0 ] || fail "getrusage on the phrase path"
  if [ "$mode" = dual ]; then
    awk -v p="$per_phrase" 'BEGIN { exit !(p <= 2) }' || fail "more than 2 system calls per phrase"
    # Writable data is made read-write a MiB at a time: rarely a call.
    [ $(( ${mprotects:-0} * 20 )) -lt "$n" ] || fail "mprotect on the phrase path"
    case " $memfd " in *" r-xs "*) ;; *) fail "code arena not mapped read+execute from the memfd ($memfd)" ;; esac
    case " $memfd " in *" rw-s "*) ;; *) fail "no writable view of the code arena ($memfd)" ;; esac
  else
    [ -z "$memfd" ] || fail "a memfd mapping although the fallback was asked for"
    [ "${mprotects:-0}" -ge "$n" ] || fail "the fallback made only ${mprotects:-0} mprotect calls"
  fi
done
exit $status
