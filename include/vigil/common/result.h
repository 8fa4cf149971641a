// Result<T> and Status: errors as values.
//
// Every fallible function in vigil returns Result<T> (or Status == Result<void>). An error carries
// an ErrorCode from the one error table (errors.h) and a human message. Exceptions never cross a
// module boundary; code that calls a throwing library catches at the edge and converts.
#pragma once

#include <cassert>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>

#include "vigil/common/errors.h"

namespace vigil {

// One error: a code from the table plus the message the client sees. `has_message` is false for
// the few AWS errors that carry no message at all (ResourceNotFound on a missing alarm).
struct ApiError {
  ErrorCode code = ErrorCode::kInternalFailure;
  std::string message;
  bool has_message = true;

  static ApiError WithoutMessage(ErrorCode c) { return ApiError{c, {}, false}; }
};

inline ApiError MakeError(ErrorCode code, std::string message) {
  return ApiError{code, std::move(message), true};
}

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  Result(ApiError error) : v_(std::in_place_index<1>, std::move(error)) {}  // NOLINT

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & {
    assert(ok());
    return std::get<0>(v_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<0>(v_);
  }
  T&& value() && {
    assert(ok());
    return std::get<0>(std::move(v_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const ApiError& error() const& {
    assert(!ok());
    return std::get<1>(v_);
  }
  ApiError&& error() && {
    assert(!ok());
    return std::get<1>(std::move(v_));
  }

 private:
  std::variant<T, ApiError> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(ApiError error) : error_(std::move(error)), ok_(false) {}  // NOLINT: implicit by design

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const ApiError& error() const& {
    assert(!ok_);
    return error_;
  }
  ApiError&& error() && {
    assert(!ok_);
    return std::move(error_);
  }

 private:
  ApiError error_;
  bool ok_ = true;
};

using Status = Result<void>;

inline Status OkStatus() { return Status(); }

}  // namespace vigil

#define VIGIL_CONCAT_INNER_(a, b) a##b
#define VIGIL_CONCAT_(a, b) VIGIL_CONCAT_INNER_(a, b)

// Returns the error of a Status/Result expression from the enclosing function.
#define RETURN_IF_ERROR(expr)                         \
  do {                                                \
    auto&& vigil_status_ = (expr);                    \
    if (!vigil_status_.ok()) {                        \
      return std::move(vigil_status_).error();        \
    }                                                 \
  } while (false)

// `ASSIGN_OR_RETURN(auto x, Foo());` — binds the value or returns the error.
#define ASSIGN_OR_RETURN(lhs, expr) \
  ASSIGN_OR_RETURN_IMPL_(VIGIL_CONCAT_(vigil_result_, __LINE__), lhs, expr)
#define ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                           \
  if (!tmp.ok()) return std::move(tmp).error(); \
  lhs = std::move(tmp).value()
