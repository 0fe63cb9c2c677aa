// The messages both backends give for the same refusal, so an error reads
// the same on SQLite and PostgreSQL (the contract tests compare them). A
// backend maps its own constraint errors (SQLite's extended result codes,
// PostgreSQL's SQLSTATEs) to an ErrorCode, then to these words.
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include "common/result.h"

namespace switchboard::store::messages {

inline constexpr char kCompanyNotFound[] = "company not found";
inline constexpr char kCompanyExists[] = "a company with this id already exists";
inline constexpr char kUserExists[] = "a user with this id already exists";
inline constexpr char kUserEmailTaken[] = "a user with this email already exists in the company";
inline constexpr char kTokenExists[] = "a token with this id or hash already exists";
inline constexpr char kTokenOwnerNotFound[] = "the token's company or user was not found";
inline constexpr char kWebhookExists[] = "a webhook with this id already exists";
inline constexpr char kV1WebhookExists[] = "a v1 webhook with this id already exists";

// `error` with `message` in place of its generic one when it has `code`.
inline Error explain(Error error, ErrorCode code, std::string_view message) {
  if (error.code == code) error.message = std::string(message);
  return error;
}

}  // namespace switchboard::store::messages
