#!/bin/sh
# Everything an embedding session prints is in its output, as bytecode `ocaml`
# prints it for the same phrases (one eval per line of output/phrases.txt,
# banner and end-of-input newline aside); the host's stdout holds only its own
# writes and the program's output, its stderr only its own writes.
# Usage: output.sh OUTPUT_HOST WORK_DIR (from the source root)
set -eu
host=$1
work=$2
mkdir -p "$work"
cd tests/embed/output

ocaml -noprompt -noinit < phrases.txt > "$work/ocaml.raw" 2>&1
# The banner (2 lines) and the newline printed at the end of input.
sed '1,2d;$d' "$work/ocaml.raw" > "$work/ocaml.txt"

"$host" phrases.txt "$work/answers.txt" > "$work/stdout.txt" 2> "$work/stderr.txt" || {
  cat "$work/stderr.txt" >&2; echo "output.sh: output_host failed" >&2; exit 1; }
diff -u "$work/ocaml.txt" "$work/answers.txt"

cat > "$work/stdout.expected" <<'END'
output_host: the host's stdout
program: print_string
program: Format.printf
program (#use): print_string
program (#use): Format.printf
program: unflushed
output_host: done
END
diff -u "$work/stdout.expected" "$work/stdout.txt"
printf "output_host: the host's stderr\nprogram: Format.eprintf\nprogram: prerr_string\nprogram: Format.printf to stderr\n" |
  diff -u - "$work/stderr.txt"
echo "output.sh: ok"
