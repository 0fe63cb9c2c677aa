// Api::handle_inline: which requests are answered on the I/O thread (no
// store access) and which are left to handle() on a worker.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "api/api.h"
#include "api/health_probe.h"
#include "common/clock.h"
#include "store/sqlite/sqlite_test_support.h"

namespace switchboard::api {
namespace {

Request request(std::string method, std::string path) {
  Request r;
  r.method = std::move(method);
  r.path = std::move(path);
  return r;
}

struct Case {
  const char* method;
  const char* path;
  std::optional<int> inline_status;  // nullopt: declined, handle() answers
};

void expect_cases(const Api& api, const std::vector<Case>& cases, const char* when) {
  for (const Case& c : cases) {
    auto answer = api.handle_inline(request(c.method, c.path));
    ASSERT_EQ(answer.has_value(), c.inline_status.has_value()) << when << ": " << c.method << " " << c.path;
    if (answer) {
      EXPECT_EQ(answer->status, *c.inline_status) << when << ": " << c.method << " " << c.path;
    }
  }
}

TEST(ApiInlineTest, OnlyAnswersWhatNeedsNoStoreRead) {
  store::testing::TempDir dir;
  auto store = store::testing::open_test_store(dir.path() / "db.sqlite");
  ASSERT_NE(store, nullptr);
  ManualClock clock(TimePoint(std::chrono::milliseconds(1'780'000'000'000)));
  Api api(ApiDeps{*store, clock});

  // Before any ping the health check needs the store.
  expect_cases(api,
               {
                   {"GET", "/api/health", std::nullopt},
                   {"HEAD", "/api/health", std::nullopt},
                   {"GET", "/api/no-such-route", 404},
                   {"PUT", "/api/health", 405},
                   {"POST", "/api/v2/events", std::nullopt},  // authenticated: reads the store
                   {"GET", "/api/v2/webhooks", std::nullopt},
                   {"GET", "/api/openapi.json", std::nullopt},  // public, but no quick handler
               },
               "before a ping");

  ASSERT_EQ(api.handle(request("GET", "/api/health")).status, 200);  // pings
  expect_cases(api,
               {
                   {"GET", "/api/health", 200},
                   {"HEAD", "/api/health", 200},
                   {"POST", "/api/v2/events", std::nullopt},
               },
               "after a ping");
  const auto inline_body = api.handle_inline(request("GET", "/api/health"))->body;
  EXPECT_EQ(inline_body, api.handle(request("GET", "/api/health")).body);

  clock.advance(kHealthProbeMaxAge);
  expect_cases(api, {{"GET", "/api/health", std::nullopt}}, "once the ping is too old");
}

// GET /api/ready is always answered inline, from the readiness state alone.
TEST(ApiInlineTest, ReadyAnswersFromTheReadinessState) {
  store::testing::TempDir dir;
  auto store = store::testing::open_test_store(dir.path() / "db.sqlite");
  ASSERT_NE(store, nullptr);
  ManualClock clock(TimePoint(std::chrono::milliseconds(1'780'000'000'000)));
  Readiness readiness;
  ApiDeps deps{*store, clock};
  deps.readiness = &readiness;
  Api api(deps);
  Api without(ApiDeps{*store, clock});  // no readiness given: always ready

  struct Step {
    const char* name;
    void (*move)(Readiness&);
    int status;
    const char* body;
  };
  const Step steps[] = {
      {"starting", [](Readiness&) {}, 503, R"({"status":"starting"})"},
      {"ready", [](Readiness& r) { r.set_ready(); }, 200, R"({"status":"ready"})"},
      {"draining", [](Readiness& r) { r.set_draining(); }, 503, R"({"status":"draining"})"},
      {"never back to ready", [](Readiness& r) { r.set_ready(); }, 503, R"({"status":"draining"})"},
  };
  for (const Step& step : steps) {
    step.move(readiness);
    auto answer = api.handle_inline(request("GET", "/api/ready"));
    ASSERT_TRUE(answer.has_value()) << step.name;
    EXPECT_EQ(answer->status, step.status) << step.name;
    EXPECT_EQ(answer->body, step.body) << step.name;
    EXPECT_EQ(api.handle(request("GET", "/api/ready")).status, step.status) << step.name;
    EXPECT_EQ(without.handle_inline(request("GET", "/api/ready"))->status, 200) << step.name;
  }
}

}  // namespace
}  // namespace switchboard::api
