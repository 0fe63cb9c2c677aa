#include "api/static_files.h"

#include <array>
#include <fstream>
#include <iterator>
#include <system_error>
#include <utility>

namespace switchboard::api {

namespace {

constexpr std::size_t kMaxStaticPathLength = 1024;
constexpr std::uintmax_t kMaxStaticFileBytes = 32u << 20;  // far above any built asset
constexpr std::string_view kAssetsDir = "assets/";

std::string_view extension_of(std::string_view relative_path) {
  auto slash = relative_path.rfind('/');
  auto name = slash == std::string_view::npos ? relative_path : relative_path.substr(slash + 1);
  auto dot = name.rfind('.');
  return dot == std::string_view::npos ? std::string_view() : name.substr(dot + 1);
}

bool is_under(const std::filesystem::path& root, const std::filesystem::path& path) {
  auto r = root.begin();
  auto p = path.begin();
  for (; r != root.end(); ++r, ++p) {
    if (p == path.end() || *r != *p) return false;
  }
  return true;
}

}  // namespace

std::optional<std::string> resolve_static_path(std::string_view url_path) {
  if (url_path.empty() || url_path.front() != '/' || url_path.size() > kMaxStaticPathLength) {
    return std::nullopt;
  }
  std::string relative;
  std::size_t start = 1;
  bool first = true;
  while (start <= url_path.size()) {
    std::size_t slash = url_path.find('/', start);
    if (slash == std::string_view::npos) slash = url_path.size();
    std::string_view segment = url_path.substr(start, slash - start);
    start = slash + 1;
    if (segment.empty()) continue;  // "//" and a trailing "/" carry no name
    // "." and ".." (and dot-files such as .env) are never served; so neither
    // is a name that still holds '%' after decoding, nor one with bytes a
    // file system could read as a separator or terminator.
    if (segment.front() == '.') return std::nullopt;
    for (char c : segment) {
      const auto byte = static_cast<unsigned char>(c);
      if (c == '\\' || c == '%' || byte < 0x20 || byte == 0x7f) return std::nullopt;
    }
    if (first && segment == "api") return std::nullopt;
    first = false;
    if (!relative.empty()) relative += '/';
    relative += segment;
  }
  if (relative.empty()) return std::string("index.html");
  return relative;
}

std::string_view content_type_for(std::string_view relative_path) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 14> kTypes{{
      {"html", "text/html; charset=utf-8"},
      {"js", "text/javascript; charset=utf-8"},
      {"mjs", "text/javascript; charset=utf-8"},
      {"css", "text/css; charset=utf-8"},
      {"json", "application/json"},
      {"map", "application/json"},
      {"webmanifest", "application/manifest+json"},
      {"svg", "image/svg+xml"},
      {"png", "image/png"},
      {"ico", "image/x-icon"},
      {"woff2", "font/woff2"},
      {"woff", "font/woff"},
      {"txt", "text/plain; charset=utf-8"},
      {"wasm", "application/wasm"},
  }};
  const auto extension = extension_of(relative_path);
  for (const auto& [ext, type] : kTypes) {
    if (ext == extension) return type;
  }
  return "application/octet-stream";
}

std::string_view cache_control_for(std::string_view relative_path) {
  if (relative_path.starts_with(kAssetsDir)) return "public, max-age=31536000, immutable";
  return "no-cache";
}

void add_page_security_headers(Response& response) {
  response.headers.emplace_back("Content-Security-Policy",
                                "default-src 'self'; base-uri 'none'; form-action 'self'; "
                                "frame-ancestors 'none'");
  response.headers.emplace_back("X-Content-Type-Options", "nosniff");
  response.headers.emplace_back("X-Frame-Options", "DENY");
  response.headers.emplace_back("Referrer-Policy", "no-referrer");
}

WebRoot::WebRoot(std::filesystem::path root) : root_(std::move(root)) {}

bool WebRoot::has_index() const {
  std::error_code ec;
  return !root_.empty() && std::filesystem::is_regular_file(root_ / "index.html", ec);
}

std::optional<Response> WebRoot::serve(std::string_view url_path) const {
  if (root_.empty()) return std::nullopt;
  auto relative = resolve_static_path(url_path);
  if (!relative) return std::nullopt;
  if (auto file = read_file(*relative)) return file;
  // A missing file: a client-side route gets the app, a missing asset a 404.
  if (relative->starts_with(kAssetsDir) || !extension_of(*relative).empty()) return std::nullopt;
  return read_file("index.html");
}

std::optional<Response> WebRoot::read_file(const std::string& relative) const {
  std::error_code ec;
  const auto root = std::filesystem::canonical(root_, ec);
  if (ec) return std::nullopt;
  // Defence in depth: whatever resolve_static_path let through, a symbolic
  // link must not lead out of the root either.
  const auto path = std::filesystem::weakly_canonical(root / relative, ec);
  if (ec || !is_under(root, path) || !std::filesystem::is_regular_file(path, ec)) return std::nullopt;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec || size > kMaxStaticFileBytes) return std::nullopt;
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  Response response;
  response.body.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  if (in.bad()) return std::nullopt;
  response.content_type = std::string(content_type_for(relative));
  response.headers.emplace_back("Cache-Control", std::string(cache_control_for(relative)));
  add_page_security_headers(response);
  return response;
}

}  // namespace switchboard::api
