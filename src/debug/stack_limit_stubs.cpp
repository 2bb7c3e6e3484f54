// Room for deep phrases: the compiler recurses on a phrase's nesting
// (about 400 bytes of stack per level while typing), so 8 MiB of stack
// ends at some 20000 levels with "Fatal error: exception Stack overflow"
// (as in `ocaml`). Recovering from that overflow is not an option with
// the OCaml 4.13.1 runtime: after a caught Stack_overflow the heap is
// corrupt (the next heap growth asks for petabytes: "Fatal error: out of
// memory", or a segfault). The toplevel raises its soft stack limit
// instead. Linux grows the main thread's stack up to the limit in force
// when it grows; the gap kept below the stack at exec is at least
// 128 MiB, so up to that much cannot run into other mappings.
#include <sys/resource.h>

extern "C" {
#include <caml/mlvalues.h>

value ocamljit_raise_stack_limit(value) {
  constexpr rlim_t kWanted = rlim_t{120} << 20;
  rlimit r{};
  if (getrlimit(RLIMIT_STACK, &r) == 0 && r.rlim_cur != RLIM_INFINITY && r.rlim_cur < kWanted) {
    r.rlim_cur = r.rlim_max == RLIM_INFINITY || r.rlim_max >= kWanted ? kWanted : r.rlim_max;
    setrlimit(RLIMIT_STACK, &r);
  }
  return Val_unit;
}

}  // extern "C"
