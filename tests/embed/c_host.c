/* ocamljit.h from C: every call of the contract once. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ocamljit/ocamljit.h"

int main(int argc, char **argv) {
  (void)argc;
  ocamljit_session *s = NULL;
  long n = 0;
  double x = 0;
  char *str = NULL;
  /* Before ocamljit_init: no session, every call an error. */
  if (ocamljit_session_new() != NULL) return 1;
  if (ocamljit_eval(NULL, "1;;") != OCAMLJIT_ERROR) return 1;
  if (ocamljit_init(argv[0]) != OCAMLJIT_OK) return 1;
  s = ocamljit_session_new();
  if (s == NULL) return 1;
  if (ocamljit_eval(s, "let double x = 2 * x;;") != OCAMLJIT_OK) return 1;
  if (strcmp(ocamljit_output(s), "val double : int -> int = <fun>\n") != 0) return 1;
  if (ocamljit_eval_int(s, "double 21", &n) != OCAMLJIT_OK || n != 42) return 1;
  if (ocamljit_eval_float(s, "0.5 *. 3.", &x) != OCAMLJIT_OK || x != 1.5) return 1;
  if (ocamljit_eval_string(s, "\"from \" ^ \"C\"", &str) != OCAMLJIT_OK || strcmp(str, "from C") != 0) return 1;
  free(str);
  if (ocamljit_eval(s, "raise Exit;;") != OCAMLJIT_EXCEPTION) return 1;
  if (ocamljit_define_primitive("c_host_none", NULL) != OCAMLJIT_ERROR) return 1;
  ocamljit_session_free(s);
  printf("c_host: ok\n");
  return 0;
}
