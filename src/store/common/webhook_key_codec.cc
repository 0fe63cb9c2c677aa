#include "store/common/webhook_key_codec.h"

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <utility>

namespace switchboard::store {
namespace json = boost::json;
namespace {

tl::unexpected<Error> malformed(std::string_view column, std::string_view what) {
  return make_error(ErrorCode::kInternal,
                    "stored webhook " + std::string(column) + " column is malformed: " + std::string(what));
}

Result<json::object> parse_object(std::string_view column, const std::string& text) {
  json::error_code ec;
  json::value value = json::parse(text, ec);
  if (ec) return malformed(column, ec.message());
  if (!value.is_object()) return malformed(column, "not an object");
  return std::move(value.get_object());
}

std::optional<std::string> text_field(const json::object& object, std::string_view key) {
  const json::value* field = object.if_contains(key);
  if (field == nullptr || !field->is_string()) return std::nullopt;
  return std::string(field->get_string());
}

std::optional<TimePoint> time_field(const json::object& object, std::string_view key) {
  const json::value* field = object.if_contains(key);
  if (field == nullptr || !field->is_int64()) return std::nullopt;
  return TimePoint(std::chrono::milliseconds(field->get_int64()));
}

std::int64_t unix_ms(TimePoint t) { return t.time_since_epoch().count(); }

Result<std::string> open(std::string_view column, const std::string& sealed,
                         const crypto::SecretBox& secrets) {
  auto opened = secrets.open(sealed);
  if (!opened) {
    return make_error(ErrorCode::kInternal,
                      "a stored webhook " + std::string(column) +
                          " key cannot be decrypted (wrong secret key?): " + opened.error().message);
  }
  return std::move(*opened);
}

Result<std::optional<model::Ed25519Key>> open_ed25519(const json::object& object, std::string_view key,
                                                      const crypto::SecretBox& secrets) {
  if (!object.contains(key)) return std::optional<model::Ed25519Key>();
  auto sealed = text_field(object, key);
  if (!sealed) return malformed("signing_keys", std::string(key) + " is not a string");
  auto seed = open("signing_keys", *sealed, secrets);
  if (!seed) return forward_error(seed);
  auto pair = model::ed25519_key_from_seed(*seed);
  if (!pair) return malformed("signing_keys", std::string(key) + " is not an Ed25519 seed");
  return std::optional<model::Ed25519Key>(std::move(*pair));
}

}  // namespace

std::optional<std::string> encode_client_certificate(
    const std::shared_ptr<const model::ClientCertificate>& certificate, const crypto::SecretBox& secrets) {
  if (!certificate) return std::nullopt;
  return json::serialize(json::object{
      {"certificate", certificate->certificate_pem},
      {"private_key", secrets.seal(certificate->private_key_pem)},
      {"subject", certificate->subject},
      {"issuer", certificate->issuer},
      {"not_after", unix_ms(certificate->not_after)},
      {"fingerprint_sha256", certificate->fingerprint_sha256},
  });
}

Result<std::shared_ptr<const model::ClientCertificate>> decode_client_certificate(
    const std::optional<std::string>& column, const crypto::SecretBox& secrets) {
  if (!column) return std::shared_ptr<const model::ClientCertificate>();
  auto object = parse_object("client_certificate", *column);
  if (!object) return forward_error(object);
  auto certificate = text_field(*object, "certificate");
  auto sealed_key = text_field(*object, "private_key");
  auto subject = text_field(*object, "subject");
  auto issuer = text_field(*object, "issuer");
  auto not_after = time_field(*object, "not_after");
  auto fingerprint = text_field(*object, "fingerprint_sha256");
  if (!certificate || !sealed_key || !subject || !issuer || !not_after || !fingerprint) {
    return malformed("client_certificate", "a field is missing");
  }
  auto key = open("client_certificate", *sealed_key, secrets);
  if (!key) return forward_error(key);
  return std::make_shared<const model::ClientCertificate>(
      model::ClientCertificate{std::move(*certificate), std::move(*key), std::move(*subject),
                               std::move(*issuer), *not_after, std::move(*fingerprint)});
}

std::optional<std::string> encode_signing_keys(const model::SigningKeys& keys,
                                               const crypto::SecretBox& secrets) {
  if (!keys.ed25519 && !keys.previous_ed25519) return std::nullopt;
  json::object out;
  if (keys.ed25519) out["ed25519"] = secrets.seal(keys.ed25519->seed);
  if (keys.previous_ed25519) out["previous_ed25519"] = secrets.seal(keys.previous_ed25519->seed);
  if (keys.previous_expires_at) out["previous_expires_at"] = unix_ms(*keys.previous_expires_at);
  return json::serialize(out);
}

Result<model::SigningKeys> decode_signing_keys(const std::optional<std::string>& column,
                                               const crypto::SecretBox& secrets) {
  if (!column) return model::SigningKeys{};
  auto object = parse_object("signing_keys", *column);
  if (!object) return forward_error(object);
  model::SigningKeys keys;
  auto current = open_ed25519(*object, "ed25519", secrets);
  if (!current) return forward_error(current);
  keys.ed25519 = std::move(*current);
  auto previous = open_ed25519(*object, "previous_ed25519", secrets);
  if (!previous) return forward_error(previous);
  keys.previous_ed25519 = std::move(*previous);
  keys.previous_expires_at = time_field(*object, "previous_expires_at");
  return keys;
}

}  // namespace switchboard::store
