A cram test file: indented commands, their output, `[N]` exit codes.

  $ echo hello
  wrong

# Section two

Continued commands, an empty output line, a failing command:

  $ printf 'a\n\nb\n'
  $ for x in 1 2; do \
  >   echo "x=$x"; \
  > done
  $ exit 3
  $ echo kept
  ...

<-- non-deterministic
  $ date +%N
  123

<-- non-deterministic command
  $ echo not run
  recorded
