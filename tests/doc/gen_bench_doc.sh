#!/bin/sh
# Writes a Markdown document with N toplevel phrases (default 500) to stdout,
# for benchmarking ocamljit-doc against the bytecode toplevel:
#   sh tests/doc/gen_bench_doc.sh 500 > bench.md
#   time ocamljit-doc --output /dev/null bench.md                  # native, in-process
#   ocamljit-doc --phrases-script "" bench.md > bench.ml           # the same phrases...
#   time ocaml -noprompt < bench.ml > /dev/null                    # ...through the bytecode toplevel
# Outputs are left empty: every phrase is evaluated either way; use --promote
# once to get a document that checks (exit 0).
# Phrases come in blocks of 10 (definitions, calls, printing, data, errors),
# separated by prose, as in real documentation; a shell block (mdx's cram
# block, run through sh by ocamljit-doc, not part of the `ocaml` baseline) ends
# the document.
set -eu
n=${1:-500}
case $n in ''|*[!0-9]*) echo "usage: gen_bench_doc.sh [N]" >&2; exit 2 ;; esac
echo "# Benchmark document ($n phrases)"
echo
i=0
while [ "$i" -lt "$n" ]; do
  if [ $((i % 10)) -eq 0 ]; then
    [ "$i" -gt 0 ] && { echo '```'; echo; }
    echo "Section $((i / 10)): a few definitions and their uses."
    echo
    echo '```ocaml'
  fi
  case $((i % 10)) in
    0) echo "# let v$i = List.init 20 (fun k -> k * $i);;" ;;
    1) echo "# let f$i x = x * x + $i;;" ;;
    2) echo "# List.map f$((i - 1)) [1; 2; 3];;" ;;
    3) echo "# type r$i = { name : string; size : int };;" ;;
    4) echo "# { name = \"item$i\"; size = $i };;" ;;
    5) echo "# let rec sum$i = function"
       echo "    | [] -> 0"
       echo "    | x :: rest -> x + sum$i rest;;" ;;
    6) echo "# sum$((i - 1)) v$((i - 6));;" ;;
    7) printf "%s\n" "# Printf.printf \"line %d\\n\" $i;;" ;;
    8) echo "# String.concat \", \" [\"a$i\"; \"b\"; \"c\"];;" ;;
    9) echo "# let bad$i = 1 + \"x\";;" ;;
  esac
  i=$((i + 1))
done
echo '```'
echo
echo "The same document can be checked from the shell:"
echo
echo '```sh'
echo '$ echo "checked by ocaml-mdx"'
echo '$ printf "%s\n" one two | wc -l'
echo '```'
