// Serving the dashboard: the static files that `npm run build` makes from
// web/ (index.html and content-hashed files under assets/), read from a
// directory, the web root.
//
// resolve_static_path() is the pure part that decides which file, if any, a
// URL path may name; content_type_for() and cache_control_for() are pure too.
// WebRoot reads the file on every request: the assets are small, and a
// rebuild while the server runs is picked up at once.
//
// Thread-safety: WebRoot is immutable after construction; serve() may be
// called from any thread.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "api/http_types.h"

namespace switchboard::api {

// Maps a percent-decoded URL path ("/assets/index-3f2a.js") to a path
// relative to the web root ("assets/index-3f2a.js"); "/" maps to
// "index.html". nullopt when the path must never be served from disk:
// "." or ".." segments, dot-files, backslashes, NUL and control bytes, any
// '%' left after decoding (a doubly encoded path), over-long paths, and
// everything under /api (the API answers there, never a file).
std::optional<std::string> resolve_static_path(std::string_view url_path);

// The Content-Type for a file, by its extension; application/octet-stream
// when unknown.
std::string_view content_type_for(std::string_view relative_path);

// Content-hashed build output under assets/ never changes under its name
// ("immutable", one year); everything else (index.html) is revalidated.
std::string_view cache_control_for(std::string_view relative_path);

// Security headers for every page the dashboard is served with.
void add_page_security_headers(Response& response);

class WebRoot {
 public:
  explicit WebRoot(std::filesystem::path root);

  // Whether the root holds a built dashboard (an index.html).
  bool has_index() const;

  // The response for GET `url_path`: the file when it exists; index.html for
  // other paths that look like client-side routes (no extension, not under
  // assets/), so that a reload on /webhooks still opens the dashboard.
  // nullopt when there is nothing to serve (the caller answers 404, or its
  // own page for "/").
  std::optional<Response> serve(std::string_view url_path) const;

 private:
  std::optional<Response> read_file(const std::string& relative) const;

  std::filesystem::path root_;
};

}  // namespace switchboard::api
