#include "alerts/smtp_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <cstring>
#include <memory>

namespace switchboard::alerts {

namespace {

struct Upload {
  const std::string& text;
  std::size_t offset = 0;
};

std::size_t read_body(char* buffer, std::size_t size, std::size_t count, void* user) {
  auto* upload = static_cast<Upload*>(user);
  const std::size_t room = size * count;
  const std::size_t left = upload->text.size() - upload->offset;
  const std::size_t n = std::min(room, left);
  std::memcpy(buffer, upload->text.data() + upload->offset, n);
  upload->offset += n;
  return n;
}

struct EasyDeleter {
  void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
};
struct ListDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

}  // namespace

std::string smtp_url(const store::SmtpSettings& smtp) {
  const bool v6 = smtp.host.find(':') != std::string::npos && smtp.host.front() != '[';
  const std::string host = v6 ? "[" + smtp.host + "]" : smtp.host;
  const char* scheme = smtp.tls == store::SmtpTls::kImplicit ? "smtps://" : "smtp://";
  // The path is the client name for EHLO.
  return scheme + host + ":" + std::to_string(smtp.port) + "/switchboard";
}

Result<void> send_email(const store::SmtpSettings& smtp, const std::string& message,
                        const SmtpOptions& options) {
  std::unique_ptr<CURL, EasyDeleter> curl(curl_easy_init());
  if (!curl) return make_error(ErrorCode::kInternal, "curl_easy_init failed");
  CURL* h = curl.get();
  std::unique_ptr<curl_slist, ListDeleter> recipients;
  for (const auto& to : smtp.recipients) {
    curl_slist* next = curl_slist_append(recipients.get(), ("<" + to + ">").c_str());
    if (!next) return make_error(ErrorCode::kInternal, "out of memory");
    (void)recipients.release();
    recipients.reset(next);
  }
  Upload upload{message};
  char error[CURL_ERROR_SIZE] = {0};
  const std::string url = smtp_url(smtp);
  const std::string from = "<" + smtp.from + ">";
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  curl_easy_setopt(h, CURLOPT_USE_SSL,
                   static_cast<long>(smtp.tls == store::SmtpTls::kNone ? CURLUSESSL_NONE : CURLUSESSL_ALL));
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!options.ca_file.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, options.ca_file.c_str());
  if (!smtp.username.empty()) {
    curl_easy_setopt(h, CURLOPT_USERNAME, smtp.username.c_str());
    curl_easy_setopt(h, CURLOPT_PASSWORD, smtp.password.c_str());
  }
  curl_easy_setopt(h, CURLOPT_MAIL_FROM, from.c_str());
  curl_easy_setopt(h, CURLOPT_MAIL_RCPT, recipients.get());
  curl_easy_setopt(h, CURLOPT_READFUNCTION, read_body);
  curl_easy_setopt(h, CURLOPT_READDATA, &upload);
  curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(options.timeout.count()));
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(std::min<long long>(options.timeout.count(), 10000)));
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error);
  const CURLcode code = curl_easy_perform(h);
  if (code == CURLE_OK) return {};
  long response = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &response);
  std::string what = error[0] ? error : curl_easy_strerror(code);
  if (response > 0) what += " (SMTP " + std::to_string(response) + ")";
  return make_error(ErrorCode::kUnavailable,
                    "SMTP " + smtp.host + ":" + std::to_string(smtp.port) + ": " + what);
}

}  // namespace switchboard::alerts
