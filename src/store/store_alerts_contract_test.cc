// The Store contract for failure alerts (store/alert_store.h): channels with
// their sealed SMTP password and carrier webhook, company scoping, the
// channel limit, outcomes, thresholds and episode state (which survives a
// reopen because it is in the store). Runs against every backend.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "store/alert_store.h"
#include "store/store.h"
#include "store/store_contract_support.h"

namespace switchboard::store {
namespace {

using contract::at;
using contract::error_text;
using contract::kT0;
using contract::subscriber;

class AlertContractTest : public contract::DeliveryContractFixture {
 protected:
  AlertStore& alerts() {
    auto* role = dynamic_cast<AlertStore*>(&store());
    EXPECT_NE(role, nullptr);
    return *role;
  }
  static AlertChannel email(const std::string& company, const std::string& id) {
    AlertChannel channel;
    channel.id = id;
    channel.company_id = company;
    channel.name = "Ops";
    channel.kind = AlertChannelKind::kEmail;
    channel.events = {"webhook.failed", "webhook.recovered"};
    channel.smtp = {"smtp.example.com", 587, SmtpTls::kStartTls, "user", "pa55", "a@example.com",
                    {"ops@example.com"}};
    channel.created_at = channel.updated_at = at(kT0);
    return channel;
  }
};

TEST_P(AlertContractTest, ChannelsRoundTripScopedToTheirCompany) {
  seed_company("cmp_a");
  seed_company("cmp_b");
  ASSERT_TRUE(alerts().create_alert_channel(email("cmp_a", "ach_1"), std::nullopt, 2));
  AlertChannel hook = email("cmp_a", "ach_2");
  hook.kind = AlertChannelKind::kWebhook;
  hook.smtp = {};
  model::Webhook carrier = subscriber("cmp_a", "wha_1", {"webhook.failed"});
  hook.webhook_id = carrier.id;
  ASSERT_TRUE(alerts().create_alert_channel(hook, carrier, 2));
  EXPECT_EQ(alerts().create_alert_channel(email("cmp_a", "ach_3"), std::nullopt, 2).error().code,
            ErrorCode::kLimitReached);
  // The carrier is a webhook the engine can deliver, and does not count toward the webhook limit.
  EXPECT_EQ(store().get_webhook("cmp_a", "wha_1").value().spec.events,
            std::vector<std::string>{"webhook.failed"});
  EXPECT_TRUE(store().create_webhook(subscriber("cmp_a", "wh_1"), 1)) << "carriers are not counted";

  auto got = alerts().get_alert_channel("cmp_a", "ach_1");
  ASSERT_TRUE(got) << error_text(got);
  EXPECT_EQ(got->smtp, email("cmp_a", "ach_1").smtp);  // the password opened again
  EXPECT_EQ(alerts().get_alert_channel("cmp_b", "ach_1").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(alerts().list_alert_channels("cmp_a").value().size(), 2u);
  EXPECT_TRUE(alerts().list_alert_channels("cmp_b").value().empty());

  got->name = "Renamed";
  got->smtp.password = "n3w";
  ASSERT_TRUE(alerts().update_alert_channel(*got));
  EXPECT_EQ(alerts().get_alert_channel("cmp_a", "ach_1").value().smtp.password, "n3w");

  ASSERT_TRUE(alerts().record_alert_outcome("cmp_a", "ach_1", "SMTP refused", at(kT0 + 5)));
  auto failed = alerts().get_alert_channel("cmp_a", "ach_1").value();
  EXPECT_EQ(failed.last_error, "SMTP refused");
  EXPECT_EQ(failed.last_failure_at, at(kT0 + 5));
  ASSERT_TRUE(alerts().record_alert_outcome("cmp_a", "ach_1", "", at(kT0 + 9)));
  auto fine = alerts().get_alert_channel("cmp_a", "ach_1").value();
  EXPECT_EQ(fine.last_error, "");
  EXPECT_EQ(fine.last_success_at, at(kT0 + 9));

  EXPECT_EQ(alerts().delete_alert_channel("cmp_b", "ach_2").error().code, ErrorCode::kNotFound);
  ASSERT_TRUE(alerts().delete_alert_channel("cmp_a", "ach_2"));
  EXPECT_EQ(store().get_webhook("cmp_a", "wha_1").error().code, ErrorCode::kNotFound);  // its carrier too
}

TEST_P(AlertContractTest, ThresholdAndEpisodesPersist) {
  seed_company("cmp_a");
  ASSERT_TRUE(store().create_webhook(subscriber("cmp_a", "wh_1"), 10));
  EXPECT_EQ(alerts().get_degraded_threshold("cmp_a").value(), DegradedThreshold{});
  const DegradedThreshold strict{95, 50, std::chrono::minutes(30)};
  ASSERT_TRUE(alerts().set_degraded_threshold("cmp_a", strict));
  EXPECT_EQ(alerts().get_degraded_threshold("cmp_a").value(), strict);

  WebhookEpisodes none = alerts().get_episodes("cmp_a", "wh_1").value();
  EXPECT_EQ(none, (WebhookEpisodes{"cmp_a", "wh_1"}));
  EXPECT_TRUE(alerts().list_open_episodes(10).value().empty());
  WebhookEpisodes open = none;
  open.failed_since = at(kT0);
  open.exhausted_pending = 3;
  ASSERT_TRUE(alerts().save_episodes(open).value());
  open.version = 1;  // the first stored version
  EXPECT_EQ(alerts().get_episodes("cmp_a", "wh_1").value(), open);
  ASSERT_EQ(alerts().list_open_episodes(10).value().size(), 1u);
  EXPECT_EQ(alerts().list_open_episodes(10).value()[0], open);
  open.failed_since.reset();
  open.exhausted_pending = 0;
  open.quiet_since = at(kT0 + 1);
  ASSERT_TRUE(alerts().save_episodes(open).value());
  open.version = 2;
  EXPECT_EQ(alerts().get_episodes("cmp_a", "wh_1").value(), open);
  EXPECT_TRUE(alerts().list_open_episodes(10).value().empty());
  // A deleted webhook's episodes are not kept (and saving them is no error, and no save).
  ASSERT_TRUE(store().delete_webhook("cmp_a", "wh_1"));
  EXPECT_FALSE(alerts().save_episodes(open).value());
  EXPECT_FALSE(alerts().save_episodes(WebhookEpisodes{"cmp_a", "wh_1"}).value());
}

// Two nodes look at the same webhook at once: both read its episodes, both
// decide to send; only the first save succeeds, so only one node sends.
TEST_P(AlertContractTest, EpisodeSavesAreCompareAndSetSoOnlyOneNodeSends) {
  seed_company("cmp_a");
  ASSERT_TRUE(store().create_webhook(subscriber("cmp_a", "wh_1"), 10));
  // No row yet: both read version 0, the first insert wins.
  WebhookEpisodes node_a = alerts().get_episodes("cmp_a", "wh_1").value();
  WebhookEpisodes node_b = alerts().get_episodes("cmp_a", "wh_1").value();
  EXPECT_EQ(node_a.version, 0);
  node_a.failed_since = at(kT0);
  node_b.failed_since = at(kT0 + 1);
  EXPECT_TRUE(alerts().save_episodes(node_a).value());
  EXPECT_FALSE(alerts().save_episodes(node_b).value());
  WebhookEpisodes stored = alerts().get_episodes("cmp_a", "wh_1").value();
  EXPECT_EQ(stored.failed_since, at(kT0));
  EXPECT_EQ(stored.version, 1);

  // A row at version 1: both read it, the first update wins, the other changes nothing.
  node_a = stored;
  node_b = stored;
  node_a.failed_since.reset();
  node_a.quiet_since = at(kT0 + 2);
  node_b.exhausted_pending = 7;
  EXPECT_TRUE(alerts().save_episodes(node_a).value());
  EXPECT_FALSE(alerts().save_episodes(node_b).value());
  stored = alerts().get_episodes("cmp_a", "wh_1").value();
  EXPECT_FALSE(stored.failed_since.has_value());
  EXPECT_EQ(stored.quiet_since, at(kT0 + 2));
  EXPECT_EQ(stored.exhausted_pending, 0);
  EXPECT_EQ(stored.version, 2);

  // Re-read, node B may save again.
  node_b = stored;
  node_b.exhausted_pending = 7;
  EXPECT_TRUE(alerts().save_episodes(node_b).value());
  EXPECT_EQ(alerts().get_episodes("cmp_a", "wh_1").value().exhausted_pending, 7);
}

INSTANTIATE_TEST_SUITE_P(Backends, AlertContractTest, ::testing::ValuesIn(contract::store_backends()),
                         contract::backend_name);

}  // namespace
}  // namespace switchboard::store
