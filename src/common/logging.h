// Logging: the one place that sets up the process's logger (spdlog, to
// stderr) and the context a request's log lines carry.
//
// Every log line is written in one of two formats (serve --log-format):
// - text: `2026-12-02T10:00:00.000Z level=info event=listening url=… request_id=…`
// - json: one object per line, `{"time":…,"level":…,"event":…,…}`. The
//   messages of the code base are logfmt (`event=name key=value key="quoted
//   value"`): each pair becomes a field; a message that is not logfmt is the
//   `message` field.
// Lines written while a ScopedLogContext is alive on the thread carry its
// request id and, once known, the company id (request_id=, company_id=).
//
// What is logged is never a secret or a payload: log messages name ids,
// counts, codes and error classes only (tests/e2e/log_secrets_test.py greps
// trace-level output for the secrets and payload markers it used).
//
// Thread-safety: setup_logging() once, in main, before any thread starts; the
// context is per thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace switchboard {

enum class LogFormat { kText, kJson };

// "text" or "json"; nullopt otherwise.
std::optional<LogFormat> parse_log_format(std::string_view text);

// Installs the default logger (stderr) at `level` (trace … off) in `format`.
void setup_logging(const std::string& level, LogFormat format);

// The request id and company id of this thread's log lines (empty: none).
struct LogContext {
  std::string request_id;
  std::string company_id;
};
const LogContext& current_log_context();

// Sets this thread's context for its lifetime (a request being handled), then
// restores the one before. Not movable: it is a scope.
class ScopedLogContext {
 public:
  explicit ScopedLogContext(std::string request_id);
  ~ScopedLogContext();
  ScopedLogContext(const ScopedLogContext&) = delete;
  ScopedLogContext& operator=(const ScopedLogContext&) = delete;

 private:
  LogContext saved_;
};

// Names the company of the request being handled on this thread (once its
// token is known); a no-op outside a ScopedLogContext.
void set_log_company(std::string company_id);

// --- the pure parts, exposed for tests --------------------------------------

// The key=value pairs of a logfmt message, in order; nullopt when the message
// is not logfmt (a word without '=', an unterminated quote, a bad key).
std::optional<std::vector<std::pair<std::string, std::string>>> parse_logfmt(std::string_view message);

// One log line without its newline. `time` is RFC 3339 UTC with milliseconds.
std::string render_log_line(LogFormat format, std::string_view time, std::string_view level,
                            std::string_view message, const LogContext& context);

}  // namespace switchboard
