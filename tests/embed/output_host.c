/* A host whose stdout and stderr are files (tests/embed/output.sh): every
 * line of PHRASES is one ocamljit_eval in session A, whose outputs are
 * appended to ANSWERS (compared with what `ocaml` prints for the same lines).
 * Between lines, session B evaluates a directive of its own: its output must
 * hold only its answer. Then the program's own output (print_string,
 * Format.printf, also from a #use'd file) must reach stdout, not the answers.
 * The host writes one line to stdout and one to stderr itself: the script
 * checks that nothing else is there.
 * Usage: output_host PHRASES ANSWERS (run from tests/embed/output). */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ocamljit/ocamljit.h"

static int expect(ocamljit_session *s, const char *phrases, int status, const char *output) {
  int got = ocamljit_eval(s, phrases);
  if (got != status || strcmp(ocamljit_output(s), output) != 0) {
    /* On stderr: the script then fails, showing it. */
    fprintf(stderr, "output_host: %s gave %d and:\n%s\n(expected %d and:\n%s)\n", phrases, got,
            ocamljit_output(s), status, output);
    return 0;
  }
  return 1;
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: output_host PHRASES ANSWERS\n");
    return 2;
  }
  FILE *phrases = fopen(argv[1], "r");
  FILE *answers = fopen(argv[2], "w");
  if (phrases == NULL || answers == NULL) {
    perror("output_host");
    return 2;
  }
  printf("output_host: the host's stdout\n");
  fflush(stdout);
  fprintf(stderr, "output_host: the host's stderr\n");
  if (ocamljit_init(argv[0]) != OCAMLJIT_OK) return 1;
  ocamljit_session *a = ocamljit_session_new();
  ocamljit_session *b = ocamljit_session_new();
  if (a == NULL || b == NULL) return 1;
  int ok = expect(b, "let only_b = 2;;", OCAMLJIT_OK, "val only_b : int = 2\n");

  char *line = NULL;
  size_t size = 0;
  while (ok && getline(&line, &size, phrases) > 0) {
    ocamljit_eval(a, line);
    fputs(ocamljit_output(a), answers);
    ok = expect(b, "#show only_b;;", OCAMLJIT_OK, "val only_b : int\n");
  }
  free(line);
  fclose(phrases);
  fclose(answers);

  /* The program's own output: stdout, as a compiled program's (the answers
     stay in the session's output). */
  ok = ok && expect(a, "print_string \"program: print_string\\n\"; Format.printf \"program: Format.printf@.\";;",
                    OCAMLJIT_OK, "- : unit = ()\n");
  ok = ok && expect(a, "#use \"program.ml\";;", OCAMLJIT_OK, "val printed : int = 2\n");
  ok = ok && expect(a, "Format.eprintf \"program: Format.eprintf@.\"; prerr_string \"program: prerr_string\\n\";;",
                    OCAMLJIT_OK, "- : unit = ()\n");
  /* The code's own redirection of std_formatter is the program's: it lasts,
     and the toplevel's output stays in the session's. */
  ok = ok && expect(a, "Format.set_formatter_out_channel stderr;;", OCAMLJIT_OK, "- : unit = ()\n");
  ok = ok && expect(a, "Format.printf \"program: Format.printf to stderr@.\";; #show_val printed;;", OCAMLJIT_OK,
                    "- : unit = ()\nval printed : int\n");
  ok = ok && expect(a, "Format.set_formatter_out_channel stdout;;", OCAMLJIT_OK, "- : unit = ()\n");
  /* A Format.printf left unflushed by the code is flushed after the eval. */
  ok = ok && expect(a, "Format.printf \"program: unflushed\"; 3;;", OCAMLJIT_OK, "- : int = 3\n");
  printf("\noutput_host: done\n");
  ocamljit_session_free(a);
  ocamljit_session_free(b);
  return ok ? 0 : 1;
}
