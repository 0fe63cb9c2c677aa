#include "delivery/v1_dispatcher.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace switchboard::delivery {
namespace {

namespace json = boost::json;

store::V1DueDelivery due(model::V1Method method, std::vector<std::string> fields) {
  store::V1DueDelivery d;
  d.delivery.id = "v1dlv_1";
  d.delivery.event_type = "call.end";
  d.spec.type = model::V1Type::kAfterCall;
  d.spec.url = "https://example.com/hook?fixed=1";
  d.spec.method = method;
  d.spec.fields = std::move(fields);
  d.spec.headers = {{"X-Token", "t"}};
  d.spec.query = {{"api key", "a&b"}};
  d.payload =
      R"({"event_id":"evt_1","event_type":"call.end","company_id":"cmp_1","data":{"call_id":"c 1","direction":"inbound","from":"+911","legs":[{"number":"+9122","role":"agent"}]}})";
  return d;
}

TEST(BuildV1Request, PostCarriesTheLegacyBodyHeadersAndQuery) {
  auto request = build_v1_request(due(model::V1Method::kPost, {"uid", "users"}), "UA/1");
  ASSERT_TRUE(request.has_value()) << request.error().message;
  EXPECT_FALSE(request->get);
  EXPECT_EQ(request->url, "https://example.com/hook?fixed=1&api%20key=a%26b");
  EXPECT_EQ(json::parse(request->body), json::parse(R"({"myoperator":{"uid":"c 1","users":["9122"]}})"));
  EXPECT_EQ(request->headers,
            (std::vector<HttpHeader>{
                {"Content-Type", "application/json"}, {"User-Agent", "UA/1"}, {"X-Token", "t"}}));
}

TEST(BuildV1Request, GetPutsTheFieldsInTheQueryString) {
  auto request = build_v1_request(due(model::V1Method::kGet, {"uid", "event", "clid"}), "UA/1");
  ASSERT_TRUE(request.has_value()) << request.error().message;
  EXPECT_TRUE(request->get);
  EXPECT_TRUE(request->body.empty());
  EXPECT_EQ(request->url, "https://example.com/hook?fixed=1&api%20key=a%26b&uid=c%201&event=2&clid=%2B911");
  EXPECT_EQ(request->headers, (std::vector<HttpHeader>{{"User-Agent", "UA/1"}, {"X-Token", "t"}}));
}

TEST(BuildV1Request, MalformedEnvelopeIsAnError) {
  auto d = due(model::V1Method::kPost, {});
  d.payload = "not json";
  EXPECT_FALSE(build_v1_request(d, "UA").has_value());
}

}  // namespace
}  // namespace switchboard::delivery
