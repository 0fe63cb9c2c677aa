// Product limits: the one place where these numbers are defined. The API,
// validation, store and tests all read them from here.
#pragma once

#include <chrono>
#include <cstddef>

namespace switchboard::model::limits {

inline constexpr int kMaxWebhooksPerCompany = 10;
inline constexpr std::size_t kMaxUrlLength = 2048;
inline constexpr std::size_t kMaxCustomHeaders = 10;
inline constexpr std::size_t kMinApiKeys = 1;
inline constexpr std::size_t kMaxApiKeys = 10;
inline constexpr std::size_t kMaxNameLength = 255;
inline constexpr std::size_t kMaxDescriptionLength = 1000;
inline constexpr std::size_t kMaxHeaderKeyLength = 256;
inline constexpr std::size_t kMaxHeaderValueLength = 4096;
inline constexpr std::size_t kMaxUsernameLength = 256;
inline constexpr std::size_t kMaxPasswordLength = 1024;
inline constexpr std::size_t kMaxFilterValues = 100;
inline constexpr std::size_t kMaxFilterValueLength = 128;
inline constexpr std::size_t kMinSecretBytes = 24;  // decoded length of a whsec_ secret
inline constexpr std::size_t kMaxSecretBytes = 64;
inline constexpr std::size_t kGeneratedSecretBytes = 32;
// After a rotation the previous secret keeps signing (beside the new one) this
// long.
inline constexpr std::chrono::hours kSecretRotationGrace{24};
// Mutual TLS and Ed25519 signatures (issue 16 item 5, model/client_certificate.h,
// model/signing_keys.h). An Ed25519 key rotated out keeps signing for
// kSecretRotationGrace too.
inline constexpr std::size_t kMaxClientCertificateBytes = 32 * 1024;  // the PEM chain
inline constexpr std::size_t kMaxClientCertificateChain = 8;          // certificates in it
inline constexpr std::size_t kMaxClientKeyBytes = 16 * 1024;          // the PEM private key
inline constexpr std::size_t kMaxUserNameLength = 255;
inline constexpr std::size_t kMaxEmailLength = 254;

// The company directory (agents and departments, /api/v2/agents, /departments).
inline constexpr int kMaxAgentsPerCompany = 10000;
inline constexpr int kMaxDepartmentsPerCompany = 1000;
inline constexpr std::size_t kMaxDirectoryIdLength = 128;
inline constexpr std::size_t kMaxDirectoryNameLength = 255;
inline constexpr std::size_t kMaxExtensionLength = 32;
inline constexpr std::size_t kMaxAgentNumberLength = 32;

// Request limits (the HTTP layer enforces them).
inline constexpr std::size_t kDefaultMaxBodyBytes = 256 * 1024;  // `serve --max-body-bytes` default
inline constexpr std::size_t kMaxHeaderBytes = 16 * 1024;
inline constexpr std::size_t kMaxJsonDepth = 32;
// An incoming X-Request-Id is kept when it is at most this long and made of
// [A-Za-z0-9._:-]; otherwise the server makes one (server/request_id.h).
inline constexpr std::size_t kMaxRequestIdLength = 128;

// Ingest (POST /api/v2/events and /events/batch). A batch body may be far
// larger than a single request's, but each event's `data` keeps the default
// single-request limit.
inline constexpr std::size_t kMaxEventsPerBatch = 1000;
inline constexpr std::size_t kMaxBatchBodyBytes = 32 * 1024 * 1024;
inline constexpr std::size_t kMaxEventDataBytes = kDefaultMaxBodyBytes;
// A company's events accepted and waiting for the store's COMMIT at once
// (ingest::Ingestor::admit); beyond, 429 `ingest_busy`. About 0.2 s of the
// SQLite writer's work, 20 full batches: far above what one client needs,
// while a company flooding the store cannot make every other one wait.
inline constexpr std::size_t kMaxIngestEventsInFlightPerCompany = 20000;

// Deliveries one replay (POST /api/v2/webhooks/{id}/replay) queues at most.
inline constexpr int kMaxReplayDeliveries = 10000;

// Test deliveries (POST /api/v2/webhooks/{id}/test) in flight at once, per
// node. A test runs on the delivery side and answers when its attempt ends (at
// most the delivery timeout); beyond a bound the route answers 429
// `too_many_tests` with Retry-After. The server-wide bound caps the sockets
// and memory all tests together may hold.
inline constexpr int kMaxTestsInFlightPerWebhook = 5;
inline constexpr int kMaxTestsInFlightPerCompany = 20;
inline constexpr int kMaxTestsInFlightPerServer = 1000;

// The live call stream (GET /api/v2/live/calls), per node. Beyond a bound the
// route answers 429 `too_many_streams` with Retry-After.
inline constexpr std::size_t kMaxLiveStreamsPerCompany = 100;
inline constexpr std::size_t kMaxLiveStreamsPerUser = 5;
// Calls in progress kept per company (the oldest is dropped beyond it): the
// largest snapshot a new watcher is streamed.
inline constexpr std::size_t kMaxLiveCallsPerCompany = 10000;

// Health statistics (GET /api/v2/webhooks/{id}/stats, model/health_stats.h):
// per-webhook per-minute rollup rows are kept this long (the longest window,
// 7 days, plus a day), then purged as the webhook records new results.
inline constexpr std::chrono::hours kHealthRollupRetention{8 * 24};

// Recover (POST /api/v2/webhooks/{id}/recover): exhausted deliveries one job
// queues at most (beyond it the job says `capped`). How far back `since` may
// go is the company's retention (model/retention.h).
inline constexpr int kMaxRecoverDeliveries = 10000;

// Per-webhook delivery controls (issue 16 item 4; model::DeliveryControls):
// the request timeout, requests in flight (the engine's per-webhook bound,
// EngineOptions::per_webhook_in_flight, is the default and the most), and the
// rate in deliveries started per second (null = unlimited).
inline constexpr int kMinWebhookTimeoutMs = 1000;
inline constexpr int kMaxWebhookTimeoutMs = 30000;
inline constexpr int kMaxWebhookInFlight = 32;
inline constexpr int kMinWebhookRate = 1;
inline constexpr int kMaxWebhookRate = 10000;
// Failure alerts (issue 16 items 1-2, src/alerts/): alert channels per
// company, e-mail recipients per channel, SMTP field lengths, the range of a
// company's degraded threshold, and the e-mail outbox (bounded: when full, an
// alert is dropped with an error log and the channel's last_error).
inline constexpr int kMaxAlertChannelsPerCompany = 10;
inline constexpr int kMaxAlertRecipients = 10;
inline constexpr std::size_t kMaxAlertChannelNameLength = 100;
inline constexpr std::size_t kMaxSmtpHostLength = 253;
inline constexpr std::size_t kMaxSmtpCredentialLength = 256;
inline constexpr std::size_t kMaxEmailAddressLength = 254;
inline constexpr int kMinDegradedBelowPercent = 1;
inline constexpr int kMaxDegradedBelowPercent = 100;
inline constexpr int kMinDegradedAttempts = 1;
inline constexpr int kMaxDegradedAttempts = 100000;
inline constexpr int kMinDegradedWindowMinutes = 1;
inline constexpr int kMaxDegradedWindowMinutes = 24 * 60;
inline constexpr std::size_t kMaxQueuedAlertEmails = 1000;
inline constexpr int kAlertEmailTries = 4;

// Pagination.
inline constexpr int kDefaultPageSize = 50;
inline constexpr int kMaxPageSize = 500;

}  // namespace switchboard::model::limits
