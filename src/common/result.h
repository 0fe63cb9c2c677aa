// Result<T>: the return type of every operation that can fail in an expected
// way.
//
// Error codes are deliberately few. Each says what the caller should do:
//   kInvalidArgument, kNotFound, kConflict, kLimitReached,
//   kPermissionDenied, kUnauthenticated  -> permanent: do not retry the same
//   call. kUnavailable                         -> transient: retrying later may
//   succeed. kInternal                            -> a bug or corrupted state;
//   log and report.
// Exceptions are used only at the edges (start-up configuration, third-party
// libraries inside their adapters); impossible states are asserts.
#pragma once

#include <string>
#include <tl/expected.hpp>
#include <utility>

namespace switchboard {

enum class ErrorCode {
  kInvalidArgument,
  kNotFound,
  kConflict,
  kLimitReached,
  kPermissionDenied,
  kUnauthenticated,
  kUnavailable,
  kInternal,
};

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
};

template <typename T>
using Result = tl::expected<T, Error>;

inline tl::unexpected<Error> make_error(ErrorCode code, std::string message) {
  return tl::unexpected<Error>(Error{code, std::move(message)});
}

// True when retrying the same operation later may succeed.
inline bool is_retryable(ErrorCode code) { return code == ErrorCode::kUnavailable; }

// The error of a failed result, to return from a function whose result type
// differs (the usual early return when a step fails):
//   auto user = store.find_user(id);
//   if (!user) return forward_error(user);
// Works for any tl::expected (Result<T>, model::InputResult<T>, ...); pass an
// rvalue to move the error instead of copying it. `failed` must hold an error.
// A function rather than a TRY-style macro: the `return` stays visible at the
// call site, it needs no statement expressions or generated names, and it
// steps like any call in a debugger; the one line it saves per step is enough.
template <typename T, typename E>
tl::unexpected<E> forward_error(const tl::expected<T, E>& failed) {
  return tl::unexpected<E>(failed.error());
}
template <typename T, typename E>
tl::unexpected<E> forward_error(tl::expected<T, E>&& failed) {
  return tl::unexpected<E>(std::move(failed).error());
}

}  // namespace switchboard
