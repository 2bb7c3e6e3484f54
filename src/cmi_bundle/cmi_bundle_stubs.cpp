// OCaml-facing primitives of the embedded interfaces (used by
// src/toplevel/embedded_interfaces.ml): look a file up in the bundle linked
// into this executable.
extern "C" {
#include <caml/alloc.h>
#include <caml/fail.h>
#include <caml/memory.h>
#include <caml/mlvalues.h>
}

#include <cstring>
#include <optional>
#include <string>

#include "cmi_bundle/bundle.hpp"

namespace {

using ocamljit::cmi_bundle::Bundle;

// Opened once: the bundle is read-only data of the executable.
const ocamljit::Result<Bundle>* the_bundle() {
  static const std::optional<ocamljit::Result<Bundle>> bundle = ocamljit::cmi_bundle::embedded();
  return bundle ? &*bundle : nullptr;
}

}  // namespace

// string -> (string, string) result option: None when no bundle is linked in
// or it has no such file; Some (Error msg) when the bundle is damaged.
extern "C" value ocamljit_cmi_bundle_find(value name) {
  CAMLparam1(name);
  CAMLlocal2(bytes, res);
  const ocamljit::Result<Bundle>* b = the_bundle();
  if (b == nullptr) CAMLreturn(Val_none);
  if (!b->ok()) {
    res = caml_alloc(1, 1);
    Store_field(res, 0, caml_copy_string(b->error().message.c_str()));
    CAMLreturn(caml_alloc_some(res));
  }
  auto data = b->value().find(std::string_view(String_val(name), caml_string_length(name)));
  if (!data) CAMLreturn(Val_none);
  bytes = caml_alloc_string(data->size());
  if (!data->empty()) std::memcpy(Bytes_val(bytes), data->data(), data->size());
  res = caml_alloc(1, 0);
  Store_field(res, 0, bytes);
  CAMLreturn(caml_alloc_some(res));
}
