#include "api/metrics.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace switchboard::api {
namespace {

TEST(MetricsLabels, MethodIsAKnownMethodOrOther) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"GET", "GET"},
      {"HEAD", "HEAD"},
      {"POST", "POST"},
      {"PUT", "PUT"},
      {"PATCH", "PATCH"},
      {"DELETE", "DELETE"},
      {"OPTIONS", "OPTIONS"},
      {"get", "other"},  // methods are case-sensitive (RFC 9110 §9.1)
      {"TRACE", "other"},
      {"CONNECT", "other"},
      {"PROPFIND", "other"},
      {"XYZZY", "other"},
      {"", "other"},
      {"GETX", "other"},
      {std::string(1000, 'A'), "other"},
  };
  for (const auto& [method, label] : cases) EXPECT_EQ(method_label(method), label) << method;
}

TEST(MetricsLabels, StatusIsAnExactCodeTheServerSendsOrAClass) {
  const std::vector<std::pair<int, std::string>> cases = {
      {200, "200"},    {201, "201"},    {202, "202"}, {204, "204"},  {400, "400"},   {401, "401"},
      {403, "403"},    {404, "404"},    {405, "405"}, {409, "409"},  {413, "413"},   {415, "415"},
      {422, "422"},    {429, "429"},    {431, "431"}, {500, "500"},  {501, "501"},   {502, "502"},
      {503, "503"},    {504, "504"},    {100, "1xx"}, {203, "2xx"},  {299, "2xx"},   {302, "3xx"},
      {418, "4xx"},    {451, "4xx"},    {599, "5xx"}, {99, "other"}, {600, "other"}, {0, "other"},
      {-200, "other"}, {1000, "other"},
  };
  for (const auto& [status, label] : cases) EXPECT_EQ(status_label(status), label) << status;
}

// Whatever the labels fed in, the series stay within the bounded sets.
TEST(MetricsLabels, RandomMethodsAndStatusesAddNoSeries) {
  Metrics metrics;
  metrics.observe_request("GET", "/api/health", 200, 0.001);
  const auto before = metrics.render();
  for (int i = 0; i < 500; ++i) {
    metrics.observe_request("M" + std::to_string(i), "/api/health", 200, 0.001);
  }
  metrics.observe_request("GET", "/api/health", 200, 0.001);
  const auto after = metrics.render();
  auto series = [](const std::string& text) {
    std::size_t lines = 0;
    for (std::size_t at = 0; (at = text.find("switchboard_http_requests_total{", at)) != std::string::npos;
         ++at) {
      ++lines;
    }
    return lines;
  };
  EXPECT_EQ(series(after), series(before) + 1);  // the one "other" series
  EXPECT_NE(after.find("method=\"other\""), std::string::npos);
}

}  // namespace
}  // namespace switchboard::api
