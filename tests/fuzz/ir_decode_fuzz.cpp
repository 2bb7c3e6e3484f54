// libFuzzer target: the IR decoder (and, on what it accepts, the GAS printer)
// must turn any byte string into a program or an Error, never crash.
#include <cstddef>
#include <cstdint>

#include "ir/decode.hpp"
#include "ir/gas_printer.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto program = ocamljit::ir::decode(data, size);
  if (program) {
    auto text = ocamljit::ir::to_gas(*program);
    (void)text;
  }
  return 0;
}
