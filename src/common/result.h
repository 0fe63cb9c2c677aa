// Result<T>: the return type of every operation that can fail in an expected way.
//
// Error codes are deliberately few. Each says what the caller should do:
//   kInvalidArgument, kNotFound, kConflict, kLimitReached,
//   kPermissionDenied, kUnauthenticated  -> permanent: do not retry the same call.
//   kUnavailable                         -> transient: retrying later may succeed.
//   kInternal                            -> a bug or corrupted state; log and report.
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

}  // namespace switchboard
