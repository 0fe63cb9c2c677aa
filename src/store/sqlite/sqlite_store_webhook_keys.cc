// SqliteStore: a webhook's client certificate and Ed25519 signing keys (issue
// 16 item 5), each a narrow write of its own column (webhook_key_codec.h).
#include <string>

#include "common/result.h"
#include "store/common/webhook_key_codec.h"
#include "store/sqlite/sqlite_store_impl.h"

namespace switchboard::store::sqlite {

Result<model::Webhook> SqliteStore::set_webhook_client_certificate(
    const std::string& company_id, const std::string& webhook_id,
    const std::shared_ptr<const model::ClientCertificate>& certificate, TimePoint updated_at) {
  const std::optional<std::string> column = encode_client_certificate(certificate, secrets_);
  return update_and_read(company_id, webhook_id, [&](Connection& connection) {
    return connection.query(
        "UPDATE webhooks SET client_certificate = ?, updated_at = ? WHERE company_id = ? AND id = ?", column,
        updated_at, company_id, webhook_id);
  });
}

Result<model::Webhook> SqliteStore::set_webhook_signing_keys(const std::string& company_id,
                                                             const std::string& webhook_id,
                                                             const model::SigningKeys& keys,
                                                             TimePoint updated_at) {
  const std::optional<std::string> column = encode_signing_keys(keys, secrets_);
  return update_and_read(company_id, webhook_id, [&](Connection& connection) {
    return connection.query(
        "UPDATE webhooks SET signing_keys = ?, updated_at = ? WHERE company_id = ? AND id = ?", column,
        updated_at, company_id, webhook_id);
  });
}

}  // namespace switchboard::store::sqlite
