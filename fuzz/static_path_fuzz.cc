// The dashboard's static file paths (api/static_files.h):
// api::resolve_static_path on the bytes as a decoded URL path, then
// content_type_for and cache_control_for.
//
// Invariants: no crash; a resolved path is relative (never starts with '/'),
// has no empty, "." or ".." segment and no dot-file, no backslash, '%', NUL
// or control byte, is never under api/, and resolves to itself again; every
// path has a content type and a cache policy.
#include <cstddef>
#include <cstdint>
#include <string>

#include "api/static_files.h"
#include "fuzz_check.h"

namespace {

using namespace switchboard;

void check_resolved(std::string_view url_path, const std::string& relative) {
  FUZZ_CHECK(!relative.empty());
  FUZZ_CHECK(relative.front() != '/');
  FUZZ_CHECK(relative.size() <= url_path.size() || relative == "index.html");
  for (char c : relative) {
    const auto byte = static_cast<unsigned char>(c);
    FUZZ_CHECK(c != '\\' && c != '%' && byte >= 0x20 && byte != 0x7f);
  }
  const std::string_view path = relative;
  for (std::size_t start = 0;;) {
    const auto slash = path.find('/', start);
    const auto segment = path.substr(start, slash == std::string_view::npos ? slash : slash - start);
    FUZZ_CHECK(!segment.empty());
    FUZZ_CHECK(segment.front() != '.');  // also ".", ".." and dot-files
    FUZZ_CHECK(!(start == 0 && segment == "api"));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  FUZZ_CHECK(api::resolve_static_path("/" + relative) == relative);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view url_path = fuzz::as_text(data, size);
  FUZZ_CHECK(!api::content_type_for(url_path).empty());
  FUZZ_CHECK(!api::cache_control_for(url_path).empty());
  if (const auto relative = api::resolve_static_path(url_path)) {
    check_resolved(url_path, *relative);
    FUZZ_CHECK(!api::content_type_for(*relative).empty());
    FUZZ_CHECK(!api::cache_control_for(*relative).empty());
  }
  return 0;
}
