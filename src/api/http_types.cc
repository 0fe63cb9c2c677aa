#include "api/http_types.h"

#include <boost/algorithm/string/predicate.hpp>

namespace switchboard::api {

std::optional<std::string_view> Request::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (boost::algorithm::iequals(key, name)) return std::string_view(value);
  }
  return std::nullopt;
}

std::optional<std::string_view> Request::query_param(std::string_view name) const {
  auto it = query.find(std::string(name));
  if (it == query.end()) return std::nullopt;
  return std::string_view(it->second);
}

PendingResponse::~PendingResponse() {
  if (completed_ || !deliver_) return;
  Response failed;
  failed.status = 500;
  failed.body = R"({"error":{"code":"internal_error","message":"Something went wrong on our side."}})";
  deliver_(std::move(failed));
}

void PendingResponse::complete(Response response) {
  std::function<void(Response)> deliver;
  {
    std::lock_guard lock(mutex_);
    if (completed_) return;
    completed_ = true;
    if (!deliver_) {
      answer_ = std::move(response);
      return;
    }
    deliver = std::move(deliver_);
  }
  deliver(std::move(response));
}

void PendingResponse::on_complete(std::function<void(Response)> deliver) {
  std::optional<Response> answer;
  {
    std::lock_guard lock(mutex_);
    if (!completed_) {
      deliver_ = std::move(deliver);
      return;
    }
    answer = std::move(answer_);
    answer_.reset();
  }
  if (answer) deliver(std::move(*answer));
}

}  // namespace switchboard::api
