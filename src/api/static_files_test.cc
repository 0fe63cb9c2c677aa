// Serving the dashboard's files: which URL paths may name a file, with which
// headers, and what a WebRoot answers.
#include "api/static_files.h"

#include <gtest/gtest.h>

#include "common/test_temp_dir.h"

namespace switchboard::api {
namespace {

struct PathCase {
  std::string url_path;
  std::optional<std::string> relative;  // nullopt: refused
};

class ResolveStaticPathTest : public ::testing::TestWithParam<PathCase> {};

TEST_P(ResolveStaticPathTest, MapsOrRefuses) {
  const auto& c = GetParam();
  EXPECT_EQ(resolve_static_path(c.url_path), c.relative) << c.url_path;
}

using std::nullopt;

INSTANTIATE_TEST_SUITE_P(
    Paths, ResolveStaticPathTest,
    ::testing::Values(
        // Served.
        PathCase{"/", "index.html"}, PathCase{"/index.html", "index.html"},
        PathCase{"/assets/index-3f2a9c.js", "assets/index-3f2a9c.js"},
        PathCase{"/favicon.svg", "favicon.svg"}, PathCase{"/webhooks", "webhooks"},
        PathCase{"/webhooks/wh_01J/edit/", "webhooks/wh_01J/edit"},
        PathCase{"//assets//app.css", "assets/app.css"}, PathCase{"/apis", "apis"}, PathCase{"/a..b", "a..b"},
        PathCase{"/v1.2/x", "v1.2/x"},
        // Traversal: the server decodes %2e%2e and %2f before this, so they arrive as these.
        PathCase{"/..", nullopt}, PathCase{"/../etc/passwd", nullopt}, PathCase{"/assets/../../x", nullopt},
        PathCase{"/assets/..", nullopt}, PathCase{"/./index.html", nullopt},
        PathCase{"/assets/./app.js", nullopt}, PathCase{"/..%2fetc", nullopt},
        // Doubly encoded dots and slashes still hold '%' once decoded.
        PathCase{"/%2e%2e/etc/passwd", nullopt}, PathCase{"/assets/%2E%2E%2Fsecret", nullopt},
        PathCase{"/%252e%252e/x", nullopt},
        // Backslashes, NUL and control bytes.
        PathCase{"/..\\etc\\passwd", nullopt}, PathCase{"/assets\\app.js", nullopt},
        PathCase{std::string("/index.html\0.png", 16), nullopt}, PathCase{"/a\nb", nullopt},
        PathCase{"/a\x7f", nullopt},
        // Dot-files.
        PathCase{"/.env", nullopt}, PathCase{"/assets/.git/config", nullopt},
        // Not a path below the root at all.
        PathCase{"", nullopt}, PathCase{"index.html", nullopt}, PathCase{"C:/x", nullopt},
        PathCase{std::string(2000, '/') + "x", nullopt},
        // The API's own space.
        PathCase{"/api", nullopt}, PathCase{"/api/", nullopt}, PathCase{"/api/v2/unknown", nullopt},
        PathCase{"//api/health", nullopt}));

TEST(StaticFilesTest, ContentTypeByExtension) {
  EXPECT_EQ(content_type_for("index.html"), "text/html; charset=utf-8");
  EXPECT_EQ(content_type_for("assets/index-3f2a.js"), "text/javascript; charset=utf-8");
  EXPECT_EQ(content_type_for("assets/index-3f2a.css"), "text/css; charset=utf-8");
  EXPECT_EQ(content_type_for("favicon.svg"), "image/svg+xml");
  EXPECT_EQ(content_type_for("shot.png"), "image/png");
  EXPECT_EQ(content_type_for("assets.d/blob"), "application/octet-stream");
  EXPECT_EQ(content_type_for("file.unknown"), "application/octet-stream");
}

TEST(StaticFilesTest, HashedAssetsAreImmutableAndPagesRevalidated) {
  EXPECT_EQ(cache_control_for("assets/index-3f2a.js"), "public, max-age=31536000, immutable");
  EXPECT_EQ(cache_control_for("index.html"), "no-cache");
  EXPECT_EQ(cache_control_for("favicon.svg"), "no-cache");
}

std::optional<std::string> header(const Response& r, std::string_view name) {
  for (const auto& [n, v] : r.headers) {
    if (n == name) return v;
  }
  return std::nullopt;
}

class WebRootTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::create_directories(dir_.path() / "web" / "assets");
    dir_.write("web/index.html", "<!doctype html><title>app</title>");
    dir_.write("web/assets/app-1234.js", "console.log(1)");
    dir_.write("web/favicon.svg", "<svg/>");
    dir_.write("secret.txt", "outside the root");
  }
  testing::TempDir dir_;
};

TEST_F(WebRootTest, ServesIndexWithSecurityHeaders) {
  WebRoot web(dir_.path() / "web");
  EXPECT_TRUE(web.has_index());
  auto r = web.serve("/");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "<!doctype html><title>app</title>");
  EXPECT_EQ(r->content_type, "text/html; charset=utf-8");
  EXPECT_EQ(header(*r, "Cache-Control"), "no-cache");
  EXPECT_EQ(header(*r, "Content-Security-Policy").value_or("").rfind("default-src 'self'", 0), 0u);
  EXPECT_EQ(header(*r, "X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(header(*r, "X-Frame-Options"), "DENY");
}

TEST_F(WebRootTest, ServesAssetsImmutable) {
  WebRoot web(dir_.path() / "web");
  auto r = web.serve("/assets/app-1234.js");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "console.log(1)");
  EXPECT_EQ(r->content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(header(*r, "Cache-Control"), "public, max-age=31536000, immutable");
}

TEST_F(WebRootTest, ClientRoutesGetTheAppButMissingFilesDoNot) {
  WebRoot web(dir_.path() / "web");
  auto route = web.serve("/webhooks/wh_1");
  ASSERT_TRUE(route);
  EXPECT_EQ(route->body, "<!doctype html><title>app</title>");
  EXPECT_EQ(header(*route, "Cache-Control"), "no-cache");
  EXPECT_FALSE(web.serve("/assets/missing-1234.js"));
  EXPECT_FALSE(web.serve("/missing.png"));
  EXPECT_FALSE(web.serve("/api/v2/nothing"));
}

TEST_F(WebRootTest, NeverLeavesTheRoot) {
  WebRoot web(dir_.path() / "web");
  EXPECT_FALSE(web.serve("/../secret.txt"));
  EXPECT_FALSE(web.serve("/assets/../../secret.txt"));
  std::filesystem::create_symlink(dir_.path() / "secret.txt", dir_.path() / "web" / "link.txt");
  EXPECT_FALSE(web.serve("/link.txt"));
}

TEST_F(WebRootTest, NoIndexMeansNoDashboard) {
  WebRoot missing(dir_.path() / "nowhere");
  EXPECT_FALSE(missing.has_index());
  EXPECT_FALSE(missing.serve("/"));
  EXPECT_FALSE(missing.serve("/webhooks"));
  WebRoot unset{std::filesystem::path()};
  EXPECT_FALSE(unset.has_index());
  EXPECT_FALSE(unset.serve("/"));
}

}  // namespace
}  // namespace switchboard::api
