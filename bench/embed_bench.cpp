// Embedding API round trips (make bench-embed): median wall time of
//   eval_int(s, "1 + 1")                 a typed evaluation, compiled and run
//   eval of a 20-line rule               its definition, compiled and loaded
//   eval_float of a call to that rule    one call through a typed evaluation
//   session new + eval + free            a disposable session
// With a second argument N, also N cycles of new/eval/free and the growth of
// the resident set (VmRSS) they cause.
// Each phrase is compiled by the OCaml native backend, assembled and linked
// in memory: these are compile-and-run latencies, not call overheads.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "ocamljit/ocamljit.h"

namespace {

const char* kRule = R"(let shipping ~weight_kg ~distance_km ~express =
  let base = 4.90 in
  let per_kg =
    if weight_kg <= 1.0 then 0.0
    else if weight_kg <= 5.0 then 1.20 *. (weight_kg -. 1.0)
    else 4.80 +. 0.90 *. (weight_kg -. 5.0)
  in
  let zone =
    if distance_km < 50. then 0.0
    else if distance_km < 300. then 2.50
    else if distance_km < 1000. then 6.00
    else 11.00
  in
  let subtotal = base +. per_kg +. zone in
  let subtotal = if express then subtotal *. 1.6 +. 3.0 else subtotal in
  let rounded = Float.round (subtotal *. 20.) /. 20. in
  let capped = Float.min rounded 79.0 in
  let free_over = 40.0 in
  if weight_kg < 0.5 && distance_km < 10. then 0.0
  else if capped > free_over && not express then free_over
  else capped;;
)";

long rss_kib() {
  FILE* f = std::fopen("/proc/self/status", "r");
  if (f == nullptr) return -1;
  char line[256];
  long kib = -1;
  while (std::fgets(line, sizeof line, f) != nullptr)
    if (std::strncmp(line, "VmRSS:", 6) == 0) kib = std::atol(line + 6);
  std::fclose(f);
  return kib;
}

double median_us(int runs, const std::function<void()>& f) {
  std::vector<double> t;
  for (int i = 0; i < runs; ++i) {
    const auto start = std::chrono::steady_clock::now();
    f();
    t.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count());
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

[[noreturn]] void fail(ocamljit_session* s, const char* what) {
  std::fprintf(stderr, "embed_bench: %s failed:\n%s", what, ocamljit_output(s));
  std::exit(1);
}

}  // namespace

int main(int argc, char** argv) {
  const int runs = argc > 1 ? std::atoi(argv[1]) : 200;
  if (ocamljit_init(argv[0]) != OCAMLJIT_OK) return 1;
  ocamljit_session* s = ocamljit_session_new();
  long n = 0;
  double x = 0;
  for (int i = 0; i < 20; ++i) ocamljit_eval_int(s, "1 + 1", &n);  // warm-up
  const double int_us = median_us(runs, [&] {
    if (ocamljit_eval_int(s, "1 + 1", &n) != OCAMLJIT_OK || n != 2) fail(s, "eval_int");
  });
  const double rule_us = median_us(runs, [&] {
    if (ocamljit_eval(s, kRule) != OCAMLJIT_OK) fail(s, "the rule");
  });
  const double call_us = median_us(runs, [&] {
    if (ocamljit_eval_float(s, "shipping ~weight_kg:7.5 ~distance_km:420. ~express:false", &x) != OCAMLJIT_OK)
      fail(s, "the call");
  });
  const double cycle_us = median_us(runs, [&] {
    ocamljit_session* t = ocamljit_session_new();
    if (ocamljit_eval_int(t, "1 + 1", &n) != OCAMLJIT_OK) fail(t, "a session");
    ocamljit_session_free(t);
  });
  ocamljit_session_free(s);
  std::printf("embed: eval_int \"1 + 1\" round trip         %8.1f us (median of %d)\n", int_us, runs);
  std::printf("embed: eval of a 20-line rule (definition)  %8.1f us\n", rule_us);
  std::printf("embed: eval_float of a call to the rule     %8.1f us\n", call_us);
  std::printf("embed: session new + eval_int + free        %8.1f us\n", cycle_us);
  const long cycles = argc > 2 ? std::atol(argv[2]) : 0;
  if (cycles > 0) {
    const long before = rss_kib();
    for (long i = 0; i < cycles; ++i) {
      ocamljit_session* t = ocamljit_session_new();
      if (ocamljit_eval(t, "let f x = x * 2;; let l = List.init 10 f;;") != OCAMLJIT_OK ||
          ocamljit_eval_int(t, "List.length l + f 1", &n) != OCAMLJIT_OK || n != 12)
        fail(t, "a cycle");
      ocamljit_session_free(t);
    }
    std::printf("embed: %ld cycles of new/eval/free: RSS %ld KiB -> %ld KiB (%+ld KiB)\n", cycles, before,
                rss_kib(), rss_kib() - before);
  }
  return 0;
}
