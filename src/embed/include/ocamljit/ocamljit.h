/* ocamljit: OCaml as an extension language for C and C++ programs.
 *
 * Phrases are compiled by the OCaml native compiler and run in this process
 * (no ocamlopt, as, ld or dlopen at run time). Sessions are independent
 * toplevel environments; freeing one unloads the code it compiled.
 *
 * Threads: OCaml 4 runs one thread at a time. Call ocamljit from one thread
 * (the one that called ocamljit_init), or serialise calls yourself; the
 * library also holds a lock around every call.
 *
 * Build: g++ host.cpp $(pkg-config --cflags --libs ocamljit)
 */
#ifndef OCAMLJIT_OCAMLJIT_H
#define OCAMLJIT_OCAMLJIT_H

#ifdef __cplusplus
extern "C" {
#endif

#define OCAMLJIT_OK 0
#define OCAMLJIT_ERROR 1      /* syntax, typing or linking error: nothing ran */
#define OCAMLJIT_EXCEPTION 2  /* the code raised; the exception is in the output */

typedef struct ocamljit_session ocamljit_session;

/* Once per process; 0 on success. argv0 may be NULL. */
int ocamljit_init(const char *argv0);
/* A fresh toplevel environment; NULL on failure (ocamljit_init not called or failed). */
ocamljit_session *ocamljit_session_new(void);
/* Unloads what the session compiled. NULL is ignored. Refused (a message in
   the running evaluation's output, the session stays) while the session
   evaluates, e.g. from a host primitive its code called. */
void ocamljit_session_free(ocamljit_session *s);
/* Toplevel phrases, `;;`-separated (the last `;;` may be omitted). */
int ocamljit_eval(ocamljit_session *s, const char *phrases);
/* What `ocaml` prints for the last eval, and only there (never on the
   process's stdout/stderr, never mixed with another session's): values,
   warnings, errors, exceptions, directives' output (#show, #use'd files'
   answers, #help...). Valid until the next call on this session.
   The program's own output (print_string, Printf.printf, Format.printf in
   the phrases' code) goes to the process's stdout/stderr, as a compiled
   program's would, flushed before each call returns. */
const char *ocamljit_output(ocamljit_session *s);
/* One expression whose inferred type must be int, float, string; any other
   type is OCAMLJIT_ERROR (never a reinterpretation). */
int ocamljit_eval_int(ocamljit_session *s, const char *expr, long *out);
int ocamljit_eval_float(ocamljit_session *s, const char *expr, double *out);
int ocamljit_eval_string(ocamljit_session *s, const char *expr, char **out); /* malloc'd; caller frees */
/* After this, `external f : ... = "name"` in any session calls fn, an OCaml
   C primitive (value fn(value, ...), see caml/mlvalues.h). 0 on success;
   1 on a NULL/empty argument or a name already bound to another function. */
int ocamljit_define_primitive(const char *name, void *fn);

#ifdef __cplusplus
}
#endif

#endif /* OCAMLJIT_OCAMLJIT_H */
