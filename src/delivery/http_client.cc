#include "delivery/http_client.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <fstream>
#include <iterator>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <utility>

#include "common/result.h"
#include "delivery/header_block.h"
#include "delivery/ssrf.h"

namespace switchboard::delivery {

namespace {

using model::AttemptError;
using SteadyClock = std::chrono::steady_clock;

constexpr std::size_t kMaxIdleEasyHandles = 256;

void init_curl_once() {
  static std::once_flag once;
  // Never paired with curl_global_cleanup: libcurl stays initialized for the process.
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

Result<std::string> read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(ErrorCode::kInvalidArgument, "cannot read " + path.string());
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return make_error(ErrorCode::kInvalidArgument, "cannot read " + path.string());
  return text;
}

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

AttemptError classify_curl_error(CURLcode code) {
  switch (code) {
    case CURLE_COULDNT_RESOLVE_HOST:
      return AttemptError::kDns;
    case CURLE_COULDNT_CONNECT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return AttemptError::kConnect;
    case CURLE_OPERATION_TIMEDOUT:
      return AttemptError::kTimeout;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CLIENTCERT:
    case CURLE_USE_SSL_FAILED:
      return AttemptError::kTls;
    default:
      return AttemptError::kOther;
  }
}

// A receiver that wants a client certificate refuses the handshake (TLS 1.2)
// or, under TLS 1.3, sends its alert after the client thinks the handshake is
// done, so libcurl reports a send/receive error: a TLS failure all the same.
bool tls_alert(std::string_view message) {
  return message.find("alert certificate required") != std::string_view::npos ||
         message.find("alert handshake failure") != std::string_view::npos ||
         message.find("alert bad certificate") != std::string_view::npos ||
         message.find("alert unknown ca") != std::string_view::npos;
}

// Presents `certificate` on the transfer's TLS handshake, or none. Set on every
// transfer: pooled handles move between webhooks. The blobs are copied, and
// cleared again when the handle goes idle (release_easy).
void set_client_certificate(CURL* easy, const model::ClientCertificate* certificate) {
  if (certificate == nullptr) {
    curl_easy_setopt(easy, CURLOPT_SSLCERT_BLOB, nullptr);
    curl_easy_setopt(easy, CURLOPT_SSLKEY_BLOB, nullptr);
    return;
  }
  curl_blob cert{const_cast<char*>(certificate->certificate_pem.data()), certificate->certificate_pem.size(),
                 CURL_BLOB_COPY};
  curl_blob key{const_cast<char*>(certificate->private_key_pem.data()), certificate->private_key_pem.size(),
                CURL_BLOB_COPY};
  curl_easy_setopt(easy, CURLOPT_SSLCERT_BLOB, &cert);
  curl_easy_setopt(easy, CURLOPT_SSLCERTTYPE, "PEM");
  curl_easy_setopt(easy, CURLOPT_SSLKEY_BLOB, &key);
  curl_easy_setopt(easy, CURLOPT_SSLKEYTYPE, "PEM");
}

AttemptError classify_status(long status) {
  if (status >= 200 && status < 300) return AttemptError::kNone;
  if (status >= 300 && status < 400) return AttemptError::kRedirect;
  return AttemptError::kHttpStatus;
}

struct Transfer {
  HttpRequest request;
  HttpClient::Callback callback;
  const HttpClientOptions* options = nullptr;
  std::atomic<std::size_t>* in_flight = nullptr;  // the client's count, decremented on completion
  CURL* easy = nullptr;
  HeaderBlock headers;
  HttpResponse response;
  std::size_t header_bytes = 0;
  std::size_t discarded_bytes = 0;
  bool cut_off = false;  // stopped reading a response body that went on too long
  std::string refused;   // the address the SSRF guard refused, with its class
  char error_buffer[CURL_ERROR_SIZE] = {};
  SteadyClock::time_point started{};
};

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const std::size_t length = size * count;
  auto& body = t->response.body;
  const std::size_t room =
      t->options->max_response_bytes - std::min(body.size(), t->options->max_response_bytes);
  body.append(data, std::min(length, room));
  if (length > room) {
    t->response.body_truncated = true;
    t->discarded_bytes += length - room;
    if (t->discarded_bytes > kMaxDiscardedResponseBytes) {
      t->cut_off = true;
      return 0;  // CURLE_WRITE_ERROR: the transfer ends here
    }
  }
  return length;
}

std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const std::size_t length = size * count;
  std::string_view line(data, length);
  while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.remove_suffix(1);
  if (line.substr(0, 5) == "HTTP/") {
    // A new response begins (e.g. after "100 Continue"): keep only the last one's headers.
    t->response.headers.clear();
    t->header_bytes = 0;
    return length;
  }
  const auto colon = line.find(':');
  if (colon == std::string_view::npos ||
      t->header_bytes + line.size() > t->options->max_response_header_bytes) {
    return length;
  }
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  t->response.headers.push_back({std::string(line.substr(0, colon)), std::string(value)});
  t->header_bytes += line.size();
  return length;
}

// Vets the exact address libcurl is about to connect to (after DNS resolution).
curl_socket_t open_socket(void* user, curlsocktype purpose, curl_sockaddr* address) {
  auto* t = static_cast<Transfer*>(user);
  if (purpose != CURLSOCKTYPE_IPCXN) return CURL_SOCKET_BAD;
  const auto address_class = ssrf::classify(&address->addr, static_cast<socklen_t>(address->addrlen));
  if (!address_class || !ssrf::is_allowed(*address_class, t->options->allow_private_networks)) {
    t->refused = address_text(*address) + " (" +
                 std::string(address_class ? ssrf::to_string(*address_class) : "unknown family") + ")";
    return CURL_SOCKET_BAD;
  }
  return ::socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
}

// A private temporary file (mode 0600) holding `content`, removed on destruction.
class TempFile {
 public:
  static Result<std::unique_ptr<TempFile>> create(const std::string& content) {
    std::error_code error;
    const auto dir = std::filesystem::temp_directory_path(error);
    if (error) return make_error(ErrorCode::kUnavailable, "no temporary directory: " + error.message());
    std::string name = (dir / "switchboard-ca-XXXXXX.pem").string();
    const int fd = ::mkstemps(name.data(), 4);
    if (fd < 0)
      return make_error(ErrorCode::kUnavailable, "cannot create a temporary CA bundle in " + dir.string());
    auto file = std::unique_ptr<TempFile>(new TempFile(name));
    std::size_t written = 0;
    while (written < content.size()) {
      const ssize_t n = ::write(fd, content.data() + written, content.size() - written);
      if (n <= 0) {
        ::close(fd);
        return make_error(ErrorCode::kUnavailable, "cannot write the temporary CA bundle " + name);
      }
      written += static_cast<std::size_t>(n);
    }
    if (::close(fd) != 0)
      return make_error(ErrorCode::kUnavailable, "cannot write the temporary CA bundle " + name);
    return file;
  }
  ~TempFile() {
    std::error_code ignored;
    std::filesystem::remove(path_, ignored);
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  explicit TempFile(std::filesystem::path path) : path_(std::move(path)) {}
  std::filesystem::path path_;
};

void complete(Transfer& t) {
  HttpClient::Callback callback = std::move(t.callback);
  t.in_flight->fetch_sub(1);
  callback(std::move(t.response));
}

void fail(Transfer& t, AttemptError error, std::string message) {
  t.response.error = error;
  t.response.error_message = std::move(message);
  complete(t);
}

// One event loop: a thread, a multi handle and the transfers pinned to it.
class Loop {
 public:
  Loop(const HttpClientOptions& options, const std::filesystem::path& ca_info)
      : options_(options), ca_info_(ca_info) {
    multi_ = curl_multi_init();
    curl_multi_setopt(multi_, CURLMOPT_MAX_HOST_CONNECTIONS, options_.max_host_connections);
    curl_multi_setopt(multi_, CURLMOPT_MAX_TOTAL_CONNECTIONS, options_.max_total_connections);
    curl_multi_setopt(multi_, CURLMOPT_PIPELINING, options_.http2 ? CURLPIPE_MULTIPLEX : CURLPIPE_NOTHING);
    share_ = curl_share_init();
    // Used from this loop's thread only, so the share needs no lock callbacks.
    curl_share_setopt(share_, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
    curl_share_setopt(share_, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
    thread_ = std::thread([this] { run(); });
  }

  ~Loop() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    curl_multi_wakeup(multi_);
    thread_.join();
    for (CURL* easy : idle_) curl_easy_cleanup(easy);
    curl_multi_cleanup(multi_);
    curl_share_cleanup(share_);
  }

  Loop(const Loop&) = delete;
  Loop& operator=(const Loop&) = delete;

  // Takes the transfer, or hands it back when the loop is stopping.
  std::unique_ptr<Transfer> submit(std::unique_ptr<Transfer> transfer) {
    bool wake = false;
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return transfer;
      wake = submitted_.empty();  // otherwise a wake-up is already on its way
      submitted_.push_back(std::move(transfer));
    }
    if (wake) curl_multi_wakeup(multi_);
    return nullptr;
  }

 private:
  void run() {
    std::vector<std::unique_ptr<Transfer>> incoming;
    for (;;) {
      {
        std::lock_guard lock(mutex_);
        if (stopping_) break;
        incoming.swap(submitted_);
      }
      for (auto& transfer : incoming) start(std::move(transfer));
      incoming.clear();
      int running = 0;
      curl_multi_perform(multi_, &running);
      int queued = 0;
      while (CURLMsg* message = curl_multi_info_read(multi_, &queued)) {
        if (message->msg == CURLMSG_DONE) finish(message->easy_handle, message->data.result);
      }
      curl_multi_poll(multi_, nullptr, 0, 1000, nullptr);
    }
    // Shutting down: end what is still running or waiting.
    for (auto& [easy, transfer] : active_) {
      curl_multi_remove_handle(multi_, easy);
      curl_easy_cleanup(easy);
      fail(*transfer, AttemptError::kOther, "client stopped");
    }
    active_.clear();
    std::lock_guard lock(mutex_);
    for (auto& transfer : submitted_) fail(*transfer, AttemptError::kOther, "client stopped");
    submitted_.clear();
  }

  // A new easy handle with every option that does not change per transfer.
  CURL* new_easy() {
    CURL* easy = curl_easy_init();
    if (easy == nullptr) return nullptr;
    const char* protocols = options_.allow_plain_http ? "http,https" : "https";
    curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, protocols);
    curl_easy_setopt(easy, CURLOPT_REDIR_PROTOCOLS_STR, protocols);
    curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(easy, CURLOPT_PROXY, "");  // ignore *_proxy variables: connect only where vetted
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(easy, CURLOPT_HTTP_VERSION,
                     options_.http2 ? CURL_HTTP_VERSION_2TLS : CURL_HTTP_VERSION_1_1);
    // Wait for a connection being set up to learn whether it multiplexes,
    // rather than opening one per transfer.
    curl_easy_setopt(easy, CURLOPT_PIPEWAIT, options_.http2 ? 1L : 0L);
    if (!ca_info_.empty()) {
      // One bundle file and no CA directory: libcurl then builds the CA store
      // once and caches it (CURLOPT_CA_CACHE_TIMEOUT) instead of parsing the
      // whole bundle for every new connection (~35 ms each, measured).
      curl_easy_setopt(easy, CURLOPT_CAINFO, ca_info_.c_str());
      curl_easy_setopt(easy, CURLOPT_CAPATH, nullptr);
    }
    curl_easy_setopt(easy, CURLOPT_SHARE, share_);
    curl_easy_setopt(easy, CURLOPT_OPENSOCKETFUNCTION, open_socket);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, on_header);
    return easy;
  }

  CURL* take_easy() {
    if (idle_.empty()) return new_easy();
    CURL* easy = idle_.back();
    idle_.pop_back();
    return easy;
  }

  void start(std::unique_ptr<Transfer> transfer) {
    Transfer& t = *transfer;
    t.easy = take_easy();
    if (t.easy == nullptr) {
      fail(t, AttemptError::kOther, "cannot start the transfer");
      return;
    }
    CURL* easy = t.easy;
    t.headers.assign(t.request.headers, {"Expect:"});  // no 100-continue round trip
    curl_easy_setopt(easy, CURLOPT_URL, t.request.url.c_str());
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, t.headers.list());
    if (t.request.get) {
      curl_easy_setopt(easy, CURLOPT_HTTPGET, 1L);
    } else {
      const std::string& body = t.request.payload();
      curl_easy_setopt(easy, CURLOPT_POSTFIELDS, body.data());
      curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    }
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(t.request.timeout.count()));
    set_client_certificate(easy, t.request.client_certificate.get());
    curl_easy_setopt(easy, CURLOPT_OPENSOCKETDATA, &t);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, &t);
    curl_easy_setopt(easy, CURLOPT_HEADERDATA, &t);
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, t.error_buffer);
    t.started = SteadyClock::now();
    if (curl_multi_add_handle(multi_, easy) != CURLM_OK) {
      release_easy(easy, false);
      fail(t, AttemptError::kOther, "cannot start the transfer");
      return;
    }
    active_.emplace(easy, std::move(transfer));
  }

  void finish(CURL* easy, CURLcode code) {
    auto it = active_.find(easy);
    if (it == active_.end()) return;
    std::unique_ptr<Transfer> transfer = std::move(it->second);
    active_.erase(it);
    Transfer& t = *transfer;
    curl_multi_remove_handle(multi_, easy);
    HttpResponse& response = t.response;
    response.latency_ms = std::chrono::duration<double, std::milli>(SteadyClock::now() - t.started).count();
    long status = 0;
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
    if (response_stands(code, status, t.cut_off)) {
      response.status_code = static_cast<int>(status);
      response.error = classify_status(status);
      if (response.error == AttemptError::kRedirect) {
        response.error_message = "redirect not followed (HTTP " + std::to_string(status) + ")";
      } else if (response.error == AttemptError::kHttpStatus) {
        response.error_message = "HTTP " + std::to_string(status);
      }
    } else {
      response.headers.clear();
      response.error = classify_curl_error(code);
      response.error_message = t.error_buffer[0] != '\0' ? t.error_buffer : curl_easy_strerror(code);
      if (code == CURLE_COULDNT_CONNECT && !t.refused.empty()) {
        response.error = AttemptError::kRefused;
        response.error_message = "refused to connect to " + t.refused;
      } else if (tls_alert(response.error_message)) {
        response.error = AttemptError::kTls;
      }
    }
    release_easy(easy, code == CURLE_OK);
    complete(t);
  }

  // A handle goes back to the pool as configured; after a failure it is reset
  // and configured afresh, so nothing of a broken transfer carries over.
  void release_easy(CURL* easy, bool clean) {
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, nullptr);  // the list dies with its transfer
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, nullptr);
    set_client_certificate(easy, nullptr);  // no private key lingers in an idle handle
    if (idle_.size() >= kMaxIdleEasyHandles || !clean) {
      curl_easy_cleanup(easy);
      return;
    }
    idle_.push_back(easy);
  }

  const HttpClientOptions& options_;
  const std::filesystem::path& ca_info_;
  CURLM* multi_ = nullptr;
  CURLSH* share_ = nullptr;

  std::mutex mutex_;
  bool stopping_ = false;                             // guarded by mutex_
  std::vector<std::unique_ptr<Transfer>> submitted_;  // guarded by mutex_
  // Loop thread only:
  std::unordered_map<CURL*, std::unique_ptr<Transfer>> active_;
  std::vector<CURL*> idle_;
  std::thread thread_;  // last: started after everything it uses exists
};

class CurlHttpClient final : public HttpClient {
 public:
  CurlHttpClient(HttpClientOptions options, std::filesystem::path ca_info, std::unique_ptr<TempFile> combined)
      : options_(std::move(options)), ca_info_(std::move(ca_info)), combined_(std::move(combined)) {
    const int loops = options_.loops;  // 1..kMaxLoops (create() checks)
    for (int i = 0; i < loops; ++i) loops_.push_back(std::make_unique<Loop>(options_, ca_info_));
  }

  ~CurlHttpClient() override { loops_.clear(); }

  void submit(HttpRequest request, Callback callback) override {
    auto transfer = std::make_unique<Transfer>();
    transfer->request = std::move(request);
    transfer->callback = std::move(callback);
    transfer->options = &options_;
    transfer->in_flight = &in_flight_;
    in_flight_.fetch_add(1);
    Loop& loop = *loops_[transfer->request.affinity % loops_.size()];
    if (auto refused = loop.submit(std::move(transfer)))
      fail(*refused, AttemptError::kOther, "client stopped");
  }

  std::size_t in_flight() const override { return in_flight_.load(); }

 private:
  const HttpClientOptions options_;
  const std::filesystem::path ca_info_;  // the CA bundle; empty = libcurl's defaults
  std::unique_ptr<TempFile> combined_;   // owns ca_info_ when it is a combined bundle
  std::atomic<std::size_t> in_flight_{0};
  std::vector<std::unique_ptr<Loop>> loops_;  // last: destroyed first
};

}  // namespace

Result<std::string> combined_ca_bundle(const std::filesystem::path& system_bundle,
                                       const std::filesystem::path& extra) {
  auto extra_pem = read_file(extra);
  if (!extra_pem) return forward_error(extra_pem);
  std::string bundle;
  if (!system_bundle.empty()) {
    std::error_code error;
    if (std::filesystem::exists(system_bundle, error)) {
      auto system_pem = read_file(system_bundle);
      if (!system_pem) return forward_error(system_pem);
      bundle = std::move(*system_pem);
    }
  }
  if (!bundle.empty() && bundle.back() != '\n') bundle += '\n';
  bundle += *extra_pem;
  return bundle;
}

Result<std::unique_ptr<HttpClient>> HttpClient::create(HttpClientOptions options) {
  init_curl_once();
  if (options.loops < 1 || options.loops > HttpClientOptions::kMaxLoops) {
    return make_error(ErrorCode::kInvalidArgument, "HTTP client loops must be 1 to " +
                                                       std::to_string(HttpClientOptions::kMaxLoops) +
                                                       ", not " + std::to_string(options.loops));
  }
  if (options.max_response_bytes == 0) options.max_response_bytes = 1;
  std::filesystem::path system_bundle = options.system_ca_file;
  if (system_bundle.empty()) {
    const curl_version_info_data* info = curl_version_info(CURLVERSION_NOW);
    if (info != nullptr && info->cainfo != nullptr) system_bundle = info->cainfo;
  }
  std::filesystem::path ca_info;
  std::unique_ptr<TempFile> combined;
  if (!options.ca_file.empty()) {
    // CURLOPT_CAINFO takes one file: the system bundle and the extra CA go into one.
    auto bundle = combined_ca_bundle(system_bundle, options.ca_file);
    if (!bundle) return forward_error(bundle);
    auto file = TempFile::create(*bundle);
    if (!file) return forward_error(file);
    combined = std::move(*file);
    ca_info = combined->path();
  } else if (!options.system_ca_file.empty()) {
    if (auto readable = read_file(options.system_ca_file); !readable) return forward_error(readable);
    ca_info = options.system_ca_file;
  } else {
    std::error_code error;
    if (!system_bundle.empty() && std::filesystem::exists(system_bundle, error)) ca_info = system_bundle;
  }
  return std::unique_ptr<HttpClient>(
      std::make_unique<CurlHttpClient>(std::move(options), std::move(ca_info), std::move(combined)));
}

HttpRequest to_http_request(const BuiltRequest& built, std::string body, std::chrono::milliseconds timeout) {
  HttpRequest request{built.url, built.headers, std::move(body), timeout};
  request.client_certificate = built.client_certificate;
  return request;
}

bool response_stands(int curl_code, long status, bool cut_off) {
  if (curl_code == CURLE_OK) return true;
  if (curl_code == CURLE_WRITE_ERROR) return cut_off && status > 0;
  return curl_code == CURLE_HTTP2_STREAM && status >= 200;
}

}  // namespace switchboard::delivery
