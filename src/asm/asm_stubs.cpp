// OCaml externals of ocamljit-opt (src/opt/internal_assembler.ml): the IR of
// one unit goes through the C++ decoder, assembler and ELF writer, and the
// object is written atomically. The `gas` backend of ocamljit-opt (IR ->
// ir::to_gas -> GNU as) is built from the same stubs.
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ir/decode.hpp"
#include "ir/gas_printer.hpp"
#include "support/error.hpp"

#include "asm/assembler.hpp"
#include "object/elf/writer.hpp"

extern "C" {
#include <caml/alloc.h>
#include <caml/fail.h>
#include <caml/memory.h>
#include <caml/mlvalues.h>
}

namespace {

using namespace ocamljit;

// Writes `bytes` to `path` through a temporary file in the same directory and
// a rename, so that a failed or interrupted run never leaves a partial object.
Status write_all(int fd, const std::string& path, const std::vector<uint8_t>& bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return make_error("cannot write ", path, ": ", std::strerror(errno));
    done += static_cast<size_t>(n);
  }
  return ok_status();
}

Status write_atomically(const std::string& path, const std::vector<uint8_t>& bytes) {
  // A device or a pipe (e.g. -o /dev/null) is written to, never replaced.
  struct stat st;
  if (stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
    int fd = open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
    if (fd < 0) return make_error("cannot open ", path, ": ", std::strerror(errno));
    Status written = write_all(fd, path, bytes);
    close(fd);
    return written;
  }
  std::string tmp = path + ".ocamljit-XXXXXX";
  std::vector<char> templ(tmp.begin(), tmp.end());
  templ.push_back('\0');
  int fd = mkstemp(templ.data());
  if (fd < 0) return make_error("cannot create a temporary file next to ", path, ": ", std::strerror(errno));
  if (Status written = write_all(fd, path, bytes); !written) {
    close(fd);
    unlink(templ.data());
    return written;
  }
  // mkstemp creates 0600; objects get the usual 0644 (less the umask).
  mode_t mask = umask(0);
  umask(mask);
  fchmod(fd, 0666 & ~mask);
  if (close(fd) != 0 || rename(templ.data(), path.c_str()) != 0) {
    int e = errno;
    unlink(templ.data());
    return make_error("cannot write ", path, ": ", std::strerror(e));
  }
  return ok_status();
}

Status assemble_to_file(const std::string& unit, const uint8_t* ir, size_t size,
                        const std::string& path) {
  auto program = ir::decode(ir, size);
  if (!program) return make_error("unit ", unit, ": ", program.error().message);
  auto object = assembler::assemble(*program, unit);
  if (!object) return make_error("unit ", unit, ": ", object.error().message);
  auto bytes = elf::write_relocatable(*object);
  if (!bytes) return make_error("unit ", unit, ": ", bytes.error().message);
  return write_atomically(path, *bytes);
}

Result<std::string> ir_to_gas(const uint8_t* ir, size_t size) {
  auto program = ir::decode(ir, size);
  if (!program) return program.error();
  return ir::to_gas(*program);
}

const uint8_t* bytes_of(value s) { return reinterpret_cast<const uint8_t*>(String_val(s)); }

}  // namespace

extern "C" {

// ocamljit_asm_assemble unit_name ir object_path: raises Failure with a
// one-line message (naming the unit) on any error.
value ocamljit_asm_assemble(value unit_name, value ir, value path) {
  CAMLparam3(unit_name, ir, path);
  CAMLlocal1(message);
  {
    std::string unit(String_val(unit_name), caml_string_length(unit_name));
    auto st = assemble_to_file(unit, bytes_of(ir), caml_string_length(ir),
                               std::string(String_val(path), caml_string_length(path)));
    if (!st) message = caml_copy_string(st.error().message.c_str());
  }  // C++ objects are gone before an OCaml exception unwinds this frame
  if (Is_block(message)) caml_failwith_value(message);
  CAMLreturn(Val_unit);
}

// ocamljit_ir_to_gas ir: the GAS text of an IR, as X86_gas prints it.
value ocamljit_ir_to_gas(value ir) {
  CAMLparam1(ir);
  CAMLlocal2(message, text);
  {
    auto r = ir_to_gas(bytes_of(ir), caml_string_length(ir));
    if (r) text = caml_alloc_initialized_string(r->size(), r->data());
    else message = caml_copy_string(r.error().message.c_str());
  }
  if (Is_block(message)) caml_failwith_value(message);
  CAMLreturn(text);
}

}  // extern "C"
