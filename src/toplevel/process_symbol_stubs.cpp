// The address of a symbol of the process (dlsym), for Compiler_api: without
// going through the JIT engine, which this would otherwise create.
#include <caml/alloc.h>
#include <caml/memory.h>
#include <caml/mlvalues.h>
#include <dlfcn.h>

extern "C" {

// string -> Obj.t option: Some (the address as a value) or None.
value ocamljit_process_symbol(value name) {
  CAMLparam1(name);
  CAMLlocal1(res);
  void* address = dlsym(RTLD_DEFAULT, String_val(name));
  if (address == nullptr) CAMLreturn(Val_int(0));
  res = caml_alloc_small(1, 0);
  Field(res, 0) = reinterpret_cast<value>(address);
  CAMLreturn(res);
}

}  // extern "C"
