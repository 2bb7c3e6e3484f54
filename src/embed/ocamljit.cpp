// The C API of ocamljit.h: starts the OCaml runtime (the toplevel's OCaml
// code is linked into this library) and forwards every call to the OCaml
// side (embed_callbacks.ml) through named callbacks. Sessions are numbers on
// the OCaml side; the C struct keeps the number and a copy of the output.
extern "C" {
#include <caml/alloc.h>
#include <caml/callback.h>
#include <caml/memory.h>
#include <caml/mlvalues.h>
#include <caml/printexc.h>
}

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdlib.h>
#include <mutex>
#include <string>

#include "link/host_symbols.hpp"
#include "ocamljit/ocamljit.h"

struct ocamljit_session {
  long id = 0;
  std::string output;
};

namespace {

// OCaml 4 runs one thread at a time; callers on other threads wait here.
// Recursive: a host primitive called by OCaml code may evaluate again.
std::recursive_mutex& lock() {
  static std::recursive_mutex m;
  return m;
}

enum class Started { No, Yes, Failed };
Started started = Started::No;

const value* callback(const char* name) {
  const value* f = caml_named_value(name);
  if (f == nullptr) std::fprintf(stderr, "ocamljit: missing OCaml callback %s\n", name);
  return f;
}

std::string exception_text(value exn) {
  char* text = caml_format_exception(exn);
  std::string s = text != nullptr ? text : "an exception";
  std::free(text);
  return "ocamljit: internal error: " + s + "\n";
}

bool usable(ocamljit_session* s) { return s != nullptr && started == Started::Yes; }

// Refreshes the session's copy of its output.
void fetch_output(ocamljit_session* s) {
  CAMLparam0();
  CAMLlocal1(r);
  const value* f = callback("ocamljit_output");
  if (f == nullptr) CAMLreturn0;
  r = caml_callback_exn(*f, Val_long(s->id));
  s->output = Is_exception_result(r) ? exception_text(Extract_exception(r))
                                     : std::string(String_val(r), caml_string_length(r));
  CAMLreturn0;
}

int refuse(ocamljit_session* s, const char* why) {
  if (s != nullptr) s->output = std::string("ocamljit: ") + why + "\n";
  return OCAMLJIT_ERROR;
}

// Typed evaluation: the callback returns (status, value).
template <class Store>
int eval_typed(const char* name, ocamljit_session* s, const char* expr, Store store) {
  CAMLparam0();
  CAMLlocal2(text, r);
  const value* f = callback(name);
  if (f == nullptr) CAMLreturnT(int, refuse(s, "library not initialised"));
  text = caml_copy_string(expr);
  r = caml_callback2_exn(*f, Val_long(s->id), text);
  if (Is_exception_result(r)) {
    s->output = exception_text(Extract_exception(r));
    CAMLreturnT(int, OCAMLJIT_ERROR);
  }
  int status = static_cast<int>(Long_val(Field(r, 0)));
  if (status == OCAMLJIT_OK) status = store(Field(r, 1));
  fetch_output(s);
  CAMLreturnT(int, status);
}

}  // namespace

extern "C" {

int ocamljit_init(const char* argv0) {
  std::lock_guard<std::recursive_mutex> hold(lock());
  if (started != Started::No) return started == Started::Yes ? OCAMLJIT_OK : OCAMLJIT_ERROR;
  started = Started::Failed;
  static std::string arg0 = argv0 != nullptr ? argv0 : "ocamljit";
  static char* argv[] = {arg0.data(), nullptr};
  value r = caml_startup_pooled_exn(argv);
  if (Is_exception_result(r)) {
    std::fprintf(stderr, "%s", exception_text(Extract_exception(r)).c_str());
    return OCAMLJIT_ERROR;
  }
  const value* f = callback("ocamljit_init");
  if (f == nullptr) return OCAMLJIT_ERROR;
  r = caml_callback_exn(*f, Val_unit);
  if (Is_exception_result(r)) {
    std::fprintf(stderr, "%s", exception_text(Extract_exception(r)).c_str());
    return OCAMLJIT_ERROR;
  }
  if (caml_string_length(r) != 0) {
    std::fprintf(stderr, "ocamljit: %s\n", String_val(r));
    return OCAMLJIT_ERROR;
  }
  started = Started::Yes;
  return OCAMLJIT_OK;
}

ocamljit_session* ocamljit_session_new(void) {
  std::lock_guard<std::recursive_mutex> hold(lock());
  if (started != Started::Yes) return nullptr;
  const value* f = callback("ocamljit_session_new");
  if (f == nullptr) return nullptr;
  value r = caml_callback_exn(*f, Val_unit);
  if (Is_exception_result(r) || Long_val(r) == 0) return nullptr;
  auto* s = new ocamljit_session;
  s->id = Long_val(r);
  return s;
}

void ocamljit_session_free(ocamljit_session* s) {
  std::lock_guard<std::recursive_mutex> hold(lock());
  if (s == nullptr) return;
  if (started == Started::Yes) {
    CAMLparam0();
    CAMLlocal1(r);
    if (const value* f = callback("ocamljit_session_free")) {
      r = caml_callback_exn(*f, Val_long(s->id));
      if (Is_exception_result(r))
        std::fprintf(stderr, "%s", exception_text(Extract_exception(r)).c_str());
      else if (caml_string_length(r) != 0) {
        // Still running (freed from a primitive it called): keep it alive.
        // The refusal is in the running evaluation's output.
        CAMLdrop;
        return;
      }
    }
    CAMLdrop;
  }
  delete s;
}

int ocamljit_eval(ocamljit_session* s, const char* phrases) {
  std::lock_guard<std::recursive_mutex> hold(lock());
  if (!usable(s)) return refuse(s, "no session (NULL, or ocamljit_init not called)");
  if (phrases == nullptr) return refuse(s, "NULL phrases");
  CAMLparam0();
  CAMLlocal2(text, r);
  const value* f = callback("ocamljit_eval");
  if (f == nullptr) CAMLreturnT(int, refuse(s, "library not initialised"));
  text = caml_copy_string(phrases);
  r = caml_callback2_exn(*f, Val_long(s->id), text);
  if (Is_exception_result(r)) {
    s->output = exception_text(Extract_exception(r));
    CAMLreturnT(int, OCAMLJIT_ERROR);
  }
  const int status = static_cast<int>(Long_val(r));
  fetch_output(s);
  CAMLreturnT(int, status);
}

const char* ocamljit_output(ocamljit_session* s) {
  std::lock_guard<std::recursive_mutex> hold(lock());
  if (s == nullptr) return "ocamljit: NULL session\n";
  return s->output.c_str();
}

int ocamljit_eval_int(ocamljit_session* s, const char* expr, long* out) {
  std::lock_guard<std::recursive_mutex> hold(lock());
  if (!usable(s)) return refuse(s, "no session (NULL, or ocamljit_init not called)");
  if (expr == nullptr || out == nullptr) return refuse(s, "NULL argument");
  return eval_typed("ocamljit_eval_int", s, expr, [&](value v) {
    *out = Long_val(v);
    return OCAMLJIT_OK;
  });
}

int ocamljit_eval_float(ocamljit_session* s, const char* expr, double* out) {
  std::lock_guard<std::recursive_mutex> hold(lock());
  if (!usable(s)) return refuse(s, "no session (NULL, or ocamljit_init not called)");
  if (expr == nullptr || out == nullptr) return refuse(s, "NULL argument");
  return eval_typed("ocamljit_eval_float", s, expr, [&](value v) {
    *out = Double_val(v);
    return OCAMLJIT_OK;
  });
}

int ocamljit_eval_string(ocamljit_session* s, const char* expr, char** out) {
  std::lock_guard<std::recursive_mutex> hold(lock());
  if (!usable(s)) return refuse(s, "no session (NULL, or ocamljit_init not called)");
  if (expr == nullptr || out == nullptr) return refuse(s, "NULL argument");
  return eval_typed("ocamljit_eval_string", s, expr, [&](value v) {
    const size_t n = caml_string_length(v);
    char* p = static_cast<char*>(std::malloc(n + 1));
    if (p == nullptr) return OCAMLJIT_ERROR;
    std::memcpy(p, String_val(v), n);
    p[n] = '\0';
    *out = p;
    return OCAMLJIT_OK;
  });
}

int ocamljit_define_primitive(const char* name, void* fn) {
  std::lock_guard<std::recursive_mutex> hold(lock());
  if (name == nullptr || fn == nullptr) return OCAMLJIT_ERROR;
  auto s = ocamljit::link::define_host_symbol(name, reinterpret_cast<uint64_t>(fn));
  if (!s) {
    std::fprintf(stderr, "ocamljit: %s\n", s.error().message.c_str());
    return OCAMLJIT_ERROR;
  }
  return OCAMLJIT_OK;
}

}  // extern "C"
