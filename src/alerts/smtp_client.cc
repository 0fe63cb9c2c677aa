#include "alerts/smtp_client.h"

#include <arpa/inet.h>
#include <curl/curl.h>

#include <algorithm>
#include <cstring>
#include <memory>

#include "delivery/ssrf.h"

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

// The SSRF guard on the socket libcurl is about to open (after DNS).
struct Guard {
  bool allow_private_networks = false;
  std::string refused;                // "10.0.0.5 (private)" when an address was refused
  bool override_would_allow = false;  // refused, but --allow-private-networks allows it
};

std::string address_text(const curl_sockaddr& address) {
  char text[INET6_ADDRSTRLEN] = "?";
  if (address.family == AF_INET && address.addrlen >= sizeof(sockaddr_in)) {
    sockaddr_in in{};
    std::memcpy(&in, &address.addr, sizeof(in));
    inet_ntop(AF_INET, &in.sin_addr, text, sizeof(text));
  } else if (address.family == AF_INET6 && address.addrlen >= sizeof(sockaddr_in6)) {
    sockaddr_in6 in6{};
    std::memcpy(&in6, &address.addr, sizeof(in6));
    inet_ntop(AF_INET6, &in6.sin6_addr, text, sizeof(text));
  }
  return text;
}

curl_socket_t open_socket(void* user, curlsocktype purpose, curl_sockaddr* address) {
  auto* guard = static_cast<Guard*>(user);
  if (purpose != CURLSOCKTYPE_IPCXN) return CURL_SOCKET_BAD;
  namespace ssrf = delivery::ssrf;
  const auto address_class = ssrf::classify(&address->addr, static_cast<socklen_t>(address->addrlen));
  if (!address_class || !ssrf::is_allowed(*address_class, guard->allow_private_networks)) {
    guard->refused = address_text(*address) + " (" +
                     std::string(address_class ? ssrf::to_string(*address_class) : "unknown family") + ")";
    guard->override_would_allow = address_class && ssrf::is_allowed(*address_class, true);
    return CURL_SOCKET_BAD;
  }
  return ::socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
}

constexpr std::string_view kOverrideHint = "; private networks need serve --allow-private-networks";

struct EasyDeleter {
  void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
};
struct ListDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

}  // namespace

std::optional<std::string> smtp_host_refusal(std::string_view host, bool allow_private_networks) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  const auto address_class = delivery::ssrf::classify(host);
  if (!address_class || delivery::ssrf::is_allowed(*address_class, allow_private_networks))
    return std::nullopt;
  return std::string(host) + " is not a public address (" +
         std::string(delivery::ssrf::to_string(*address_class)) + ")";
}

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
  curl_easy_setopt(h, CURLOPT_PROXY, "");  // ignore *_proxy variables: connect only where vetted
  Guard guard;
  guard.allow_private_networks = options.allow_private_networks;
  curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, open_socket);
  curl_easy_setopt(h, CURLOPT_OPENSOCKETDATA, &guard);
  const CURLcode code = curl_easy_perform(h);
  if (code == CURLE_OK) return {};
  if (!guard.refused.empty() && code == CURLE_COULDNT_CONNECT) {
    return make_error(ErrorCode::kUnavailable,
                      "SMTP " + smtp.host + ":" + std::to_string(smtp.port) + ": refused to connect to " +
                          guard.refused + (guard.override_would_allow ? std::string(kOverrideHint) : ""));
  }
  long response = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &response);
  std::string what = error[0] ? error : curl_easy_strerror(code);
  if (response > 0) what += " (SMTP " + std::to_string(response) + ")";
  return make_error(ErrorCode::kUnavailable,
                    "SMTP " + smtp.host + ":" + std::to_string(smtp.port) + ": " + what);
}

}  // namespace switchboard::alerts
