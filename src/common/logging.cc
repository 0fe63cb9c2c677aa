#include "common/logging.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <memory>

#include "common/clock.h"
#include "common/json_text.h"
#include "common/time_format.h"

namespace switchboard {

namespace {

thread_local LogContext tls_context;

bool is_key_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
         c == '-';
}

// The length of the key at `at` when a key and '=' start there, else 0.
std::size_t key_length(std::string_view text, std::size_t at) {
  std::size_t end = at;
  while (end < text.size() && is_key_char(text[end])) ++end;
  return end > at && end < text.size() && text[end] == '=' ? end - at : 0;
}

// Where the quoted value opened at `open` closes: the first '"' followed by
// the end or by " key=" (a value may itself hold quotes); npos when none.
std::size_t closing_quote(std::string_view text, std::size_t open) {
  for (std::size_t at = text.find('"', open + 1); at != std::string_view::npos; at = text.find('"', at + 1)) {
    if (at + 1 == text.size()) return at;
    if (text[at + 1] == ' ' && key_length(text, at + 2) > 0) return at;
  }
  return std::string_view::npos;
}

void append_json_field(std::string& out, std::string_view key, std::string_view value) {
  if (out.size() > 1) out += ',';
  append_json_string(out, key);
  out += ':';
  append_json_string(out, value);
}

bool has_key(const std::vector<std::pair<std::string, std::string>>& fields, std::string_view key) {
  for (const auto& field : fields) {
    if (field.first == key) return true;
  }
  return false;
}

std::string render_json(std::string_view time, std::string_view level, std::string_view message,
                        const LogContext& context) {
  std::string out = "{";
  append_json_field(out, "time", time);
  append_json_field(out, "level", level);
  auto fields = parse_logfmt(message);
  if (fields) {
    for (const auto& [key, value] : *fields) {
      if (key != "time" && key != "level") append_json_field(out, key, value);
    }
  } else {
    append_json_field(out, "message", message);
  }
  const bool parsed = fields.has_value();
  if (!context.request_id.empty() && !(parsed && has_key(*fields, "request_id"))) {
    append_json_field(out, "request_id", context.request_id);
  }
  if (!context.company_id.empty() && !(parsed && has_key(*fields, "company_id"))) {
    append_json_field(out, "company_id", context.company_id);
  }
  out += '}';
  return out;
}

std::string render_text(std::string_view time, std::string_view level, std::string_view message,
                        const LogContext& context) {
  std::string out;
  out.reserve(time.size() + message.size() + 64);
  out.append(time).append(" level=").append(level).append(" ").append(message);
  if (!context.request_id.empty() && message.find("request_id=") == std::string_view::npos) {
    out.append(" request_id=").append(context.request_id);
  }
  if (!context.company_id.empty() && message.find("company_id=") == std::string_view::npos) {
    out.append(" company_id=").append(context.company_id);
  }
  return out;
}

// Renders every line of the process's logger (runs on the logging thread:
// the logger is synchronous, so that is the thread whose context applies).
class LineFormatter final : public spdlog::formatter {
 public:
  explicit LineFormatter(LogFormat format) : format_(format) {}

  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    const auto ms = std::chrono::time_point_cast<std::chrono::milliseconds>(msg.time);
    std::string line = render_log_line(
        format_, format_rfc3339(TimePoint(ms)), spdlog::level::to_string_view(msg.level).data(),
        std::string_view(msg.payload.data(), msg.payload.size()), current_log_context());
    line += '\n';
    dest.append(line.data(), line.data() + line.size());
  }

  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<LineFormatter>(format_);
  }

 private:
  LogFormat format_;
};

}  // namespace

std::optional<LogFormat> parse_log_format(std::string_view text) {
  if (text == "text") return LogFormat::kText;
  if (text == "json") return LogFormat::kJson;
  return std::nullopt;
}

void setup_logging(const std::string& level, LogFormat format) {
  // stderr, so that stdout carries only what scripts read (tokens, URLs).
  auto logger = spdlog::stderr_logger_mt("switchboard");
  logger->set_formatter(std::make_unique<LineFormatter>(format));
  logger->set_level(spdlog::level::from_str(level));
  spdlog::set_default_logger(logger);
}

const LogContext& current_log_context() { return tls_context; }

ScopedLogContext::ScopedLogContext(std::string request_id) : saved_(std::move(tls_context)) {
  tls_context = LogContext{std::move(request_id), {}};
}

ScopedLogContext::~ScopedLogContext() { tls_context = std::move(saved_); }

void set_log_company(std::string company_id) {
  if (!tls_context.request_id.empty()) tls_context.company_id = std::move(company_id);
}

std::optional<std::vector<std::pair<std::string, std::string>>> parse_logfmt(std::string_view message) {
  std::vector<std::pair<std::string, std::string>> fields;
  std::size_t at = 0;
  while (at < message.size()) {
    if (message[at] == ' ') {
      ++at;
      continue;
    }
    const std::size_t key = key_length(message, at);
    if (key == 0) return std::nullopt;
    std::string name(message.substr(at, key));
    at += key + 1;
    if (at < message.size() && message[at] == '"') {
      const std::size_t close = closing_quote(message, at);
      if (close == std::string_view::npos) return std::nullopt;
      fields.emplace_back(std::move(name), std::string(message.substr(at + 1, close - at - 1)));
      at = close + 1;
      continue;
    }
    const std::size_t end = std::min(message.find(' ', at), message.size());
    fields.emplace_back(std::move(name), std::string(message.substr(at, end - at)));
    at = end;
  }
  if (fields.empty()) return std::nullopt;
  return fields;
}

std::string render_log_line(LogFormat format, std::string_view time, std::string_view level,
                            std::string_view message, const LogContext& context) {
  return format == LogFormat::kJson ? render_json(time, level, message, context)
                                    : render_text(time, level, message, context);
}

}  // namespace switchboard
