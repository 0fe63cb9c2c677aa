#include "store/common/webhook_codec.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

namespace switchboard::store {
namespace {

crypto::SecretBox secret_box_with_key(char fill) {
  auto box = crypto::SecretBox::from_key(std::string(crypto::SecretBox::kKeyBytes, fill));
  if (!box) throw std::runtime_error("SecretBox::from_key failed: " + box.error().message);
  return std::move(*box);
}

crypto::SecretBox test_secret_box() { return secret_box_with_key('\x5a'); }

TEST(WebhookCodecTest, AuthRoundTripsWithSealedSecrets) {
  const crypto::SecretBox box = test_secret_box();
  model::WebhookAuth basic{
      model::AuthType::kBasic, "user", "hunter2-password", model::ApiKeyLocation::kHeader, {}};
  model::WebhookAuth keys{model::AuthType::kApiKey,
                          "",
                          "",
                          model::ApiKeyLocation::kQuery,
                          {{"api_key", "value-one"}, {"X-Two", "value-two"}}};
  model::WebhookAuth none{};
  for (const model::WebhookAuth& auth : {basic, keys, none}) {
    std::string column = encode_auth(auth, box);
    for (const char* secret : {"hunter2-password", "value-one", "value-two"}) {
      EXPECT_EQ(column.find(secret), std::string::npos) << column;
    }
    auto decoded = decode_auth(column, box);
    ASSERT_TRUE(decoded.has_value()) << decoded.error().message;
    EXPECT_EQ(*decoded, auth);
  }
}

TEST(WebhookCodecTest, ListsAndFiltersRoundTrip) {
  const crypto::SecretBox box = test_secret_box();
  std::vector<model::KeyValue> headers{{"X-A", "1"}, {"X-\"Quoted\"", "line\nbreak ✓"}, {"X-Empty", ""}};
  EXPECT_EQ(decode_key_values(encode_key_values(headers, box), box).value(), headers);
  std::vector<std::string> events{"call.started", "whatsapp.message.received"};
  EXPECT_EQ(decode_strings(encode_strings(events)).value(), events);
  EXPECT_TRUE(decode_strings(encode_strings({})).value().empty());
  model::WebhookFilters filters{{"inbound"}, {"dep_1"}, {"agt_1", "agt_2"}};
  EXPECT_EQ(decode_filters(encode_filters(filters)).value(), filters);
}

TEST(WebhookCodecTest, BadColumnsAreInternalErrors) {
  const crypto::SecretBox box = test_secret_box();
  for (const char* column : {"", "not json", "[]", R"({"type":"weird"})", R"({"type":"none"})"}) {
    SCOPED_TRACE(column);
    auto decoded = decode_auth(column, box);
    ASSERT_FALSE(decoded.has_value());
    EXPECT_EQ(decoded.error().code, ErrorCode::kInternal);
  }
  EXPECT_EQ(decode_key_values(R"([{"key":1}])", box).error().code, ErrorCode::kInternal);
  EXPECT_EQ(decode_key_values(R"([{"key":"X-A"}])", box).error().code, ErrorCode::kInternal);
  EXPECT_EQ(decode_key_values(R"([{"key":"X-A","sealed":"not sealed"}])", box).error().code,
            ErrorCode::kInternal);
  EXPECT_EQ(decode_strings(R"(["a", 2])").error().code, ErrorCode::kInternal);
  EXPECT_EQ(decode_filters(R"({"direction":[]})").error().code, ErrorCode::kInternal);
}

TEST(WebhookCodecTest, HeaderValuesAreSealedAndNamesStayReadable) {
  const crypto::SecretBox box = test_secret_box();
  std::vector<model::KeyValue> headers{{"Authorization", "Bearer header-secret-41"}, {"X-Source", "crm-9"}};
  const std::string column = encode_key_values(headers, box);
  EXPECT_EQ(column.find("header-secret-41"), std::string::npos) << column;
  EXPECT_EQ(column.find("crm-9"), std::string::npos) << column;
  EXPECT_NE(column.find("Authorization"), std::string::npos) << column;
  EXPECT_EQ(decode_key_values(column, secret_box_with_key('\x02')).error().code, ErrorCode::kInternal);
  EXPECT_FALSE(reseal_key_values(column, box).has_value()) << "already sealed";
}

TEST(WebhookCodecTest, ClearHeaderValuesOfOlderRowsDecodeAndReseal) {
  const crypto::SecretBox box = test_secret_box();
  const std::string legacy =
      R"([{"key":"Authorization","value":"Bearer old-clear-77"},{"key":"X-E","value":""}])";
  const std::vector<model::KeyValue> headers{{"Authorization", "Bearer old-clear-77"}, {"X-E", ""}};
  EXPECT_EQ(decode_key_values(legacy, box).value(), headers);
  const std::optional<std::string> resealed = reseal_key_values(legacy, box);
  ASSERT_TRUE(resealed.has_value());
  EXPECT_EQ(resealed->find("old-clear-77"), std::string::npos) << *resealed;
  EXPECT_EQ(decode_key_values(*resealed, box).value(), headers);
  EXPECT_FALSE(reseal_key_values("not json", box).has_value());
}

TEST(WebhookCodecTest, SecretsSealedWithAnotherKeyDoNotOpen) {
  model::WebhookAuth basic{model::AuthType::kBasic, "user", "pw", model::ApiKeyLocation::kHeader, {}};
  std::string column = encode_auth(basic, secret_box_with_key('\x01'));
  EXPECT_EQ(decode_auth(column, secret_box_with_key('\x02')).error().code, ErrorCode::kInternal);
  auto sealed = seal_optional(std::string("whsec_x"), secret_box_with_key('\x01'));
  ASSERT_TRUE(sealed.has_value());
  EXPECT_NE(*sealed, "whsec_x");
  EXPECT_EQ(open_optional(sealed, secret_box_with_key('\x02')).error().code, ErrorCode::kInternal);
  EXPECT_EQ(open_optional(sealed, secret_box_with_key('\x01')).value(), "whsec_x");
  EXPECT_EQ(open_optional(std::nullopt, secret_box_with_key('\x01')).value(), std::nullopt);
}

}  // namespace
}  // namespace switchboard::store
