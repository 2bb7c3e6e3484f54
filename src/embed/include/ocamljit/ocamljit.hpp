// C++ wrapper of ocamljit.h: an RAII session, std::string / std::optional
// results. Errors as values, no exceptions.
#pragma once

#include <cstdlib>
#include <optional>
#include <string>
#include <utility>

#include "ocamljit/ocamljit.h"

namespace ocamljit {

// Starts the OCaml runtime once (later calls return the first result).
inline bool init(const char* argv0 = nullptr) { return ocamljit_init(argv0) == OCAMLJIT_OK; }

inline bool define_primitive(const std::string& name, void* fn) {
  return ocamljit_define_primitive(name.c_str(), fn) == OCAMLJIT_OK;
}

class Session {
 public:
  Session() : s_(ocamljit_session_new()) {}
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;
  Session(Session&& o) noexcept : s_(std::exchange(o.s_, nullptr)) {}
  Session& operator=(Session&& o) noexcept {
    if (this != &o) {
      ocamljit_session_free(s_);
      s_ = std::exchange(o.s_, nullptr);
    }
    return *this;
  }
  ~Session() { ocamljit_session_free(s_); }

  // False if the session could not be created (init missing or failed).
  explicit operator bool() const { return s_ != nullptr; }
  ocamljit_session* get() const { return s_; }

  // OCAMLJIT_OK, OCAMLJIT_ERROR or OCAMLJIT_EXCEPTION; details in output():
  // all the toplevel prints (answers, warnings, errors, directives' output);
  // the code's own print_string/Format.printf go to stdout (see ocamljit.h).
  int eval(const std::string& phrases) { return ocamljit_eval(s_, phrases.c_str()); }
  std::string output() const {
    const char* o = ocamljit_output(s_);
    return o == nullptr ? std::string() : std::string(o);
  }

  // nullopt on any error; output() says why.
  std::optional<long> eval_int(const std::string& expr) {
    long n = 0;
    if (ocamljit_eval_int(s_, expr.c_str(), &n) != OCAMLJIT_OK) return std::nullopt;
    return n;
  }
  std::optional<double> eval_float(const std::string& expr) {
    double x = 0;
    if (ocamljit_eval_float(s_, expr.c_str(), &x) != OCAMLJIT_OK) return std::nullopt;
    return x;
  }
  std::optional<std::string> eval_string(const std::string& expr) {
    char* p = nullptr;
    if (ocamljit_eval_string(s_, expr.c_str(), &p) != OCAMLJIT_OK) return std::nullopt;
    std::string r(p);
    std::free(p);
    return r;
  }

 private:
  ocamljit_session* s_;
};

}  // namespace ocamljit
