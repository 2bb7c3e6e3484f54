// A monotonic clock for phase timings (Timings.now).
#include <caml/alloc.h>
#include <caml/mlvalues.h>

#include <ctime>

extern "C" {

double ocamljit_monotonic_seconds(value /*unit*/) {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

value ocamljit_monotonic_seconds_byte(value unit) {
  return caml_copy_double(ocamljit_monotonic_seconds(unit));
}

}  // extern "C"
