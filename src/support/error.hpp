// Errors as values: every engine operation that can fail on bad input returns
// Result<T>. An Error is one line of text that carries its own context
// (unit, section, symbol, offset), ready to show to the user.
#pragma once

#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

namespace ocamljit {

struct Error {
  std::string message;
};

inline std::string to_text(const std::string& s) { return s; }
inline std::string to_text(const char* s) { return s; }
inline std::string to_text(std::string_view s) { return std::string(s); }
inline std::string to_text(char c) { return std::string(1, c); }
template <class N>
  requires std::is_arithmetic_v<N>
std::string to_text(N n) { return std::to_string(n); }


// Builds an Error from pieces: make_error("unit ", name, ": bad tag ", 42).
template <class... Parts>
Error make_error(const Parts&... parts) {
  std::string s;
  ((s += to_text(parts)), ...);
  return Error{std::move(s)};
}
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}
  Result(Error error) : v_(std::move(error)) {}

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  const T& value() const& { return std::get<0>(v_); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const Error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

// For operations that produce nothing but may fail.
struct Unit {};
using Status = Result<Unit>;
inline Status ok_status() { return Unit{}; }

}  // namespace ocamljit
