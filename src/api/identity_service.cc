#include "api/identity_service.h"

#include "common/crypto.h"
#include "common/ids.h"
#include "common/result.h"

namespace switchboard::api {

IssuedToken make_token(model::TokenKind kind, const std::string& company_id,
                       const std::optional<std::string>& user_id, TimePoint now,
                       std::optional<TimePoint> expires_at) {
  // 32 random bytes: unguessable, so a fast hash (SHA-256) is the right
  // storage form; a slow password hash would only cost every request.
  std::string prefix = kind == model::TokenKind::kIngest ? "sbi_" : "sbt_";
  IssuedToken issued;
  issued.text = prefix + crypto::base64url_encode(crypto::random_bytes(32));
  issued.record.id = new_id("tok", now);
  issued.record.company_id = company_id;
  issued.record.user_id = user_id;
  issued.record.kind = kind;
  issued.record.token_hash = token_hash(issued.text);
  issued.record.created_at = now;
  issued.record.hint = issued.text.substr(0, kTokenHintLength);
  issued.record.expires_at = expires_at;
  return issued;
}

std::string token_hash(std::string_view token_text) { return crypto::sha256_hex(token_text); }

Result<CreatedCompany> create_company_with_owner(store::IdentityStore& store, const Clock& clock,
                                                 std::string_view name, std::string_view owner_name,
                                                 std::string_view owner_email, std::string_view company_id) {
  const TimePoint now = clock.now();
  CreatedCompany created;
  created.company.id = company_id.empty() ? new_id("cmp", now) : std::string(company_id);
  created.company.name = std::string(name);
  created.company.created_at = now;
  created.owner.id = new_id("usr", now);
  created.owner.company_id = created.company.id;
  created.owner.name = std::string(owner_name);
  created.owner.email = std::string(owner_email);
  created.owner.role = model::Role::kOwner;
  created.owner.created_at = now;
  IssuedToken token = make_token(model::TokenKind::kUser, created.company.id, created.owner.id, now);
  if (auto stored = store.create_company(created.company, created.owner, token.record); !stored) {
    return forward_error(stored);
  }
  created.owner_token = std::move(token.text);
  return created;
}

Result<CreatedUser> create_user_with_token(store::IdentityStore& store, const Clock& clock,
                                           const std::string& company_id, std::string_view name,
                                           std::string_view email, model::Role role,
                                           std::optional<TimePoint> token_expires_at) {
  const TimePoint now = clock.now();
  CreatedUser created;
  created.user.id = new_id("usr", now);
  created.user.company_id = company_id;
  created.user.name = std::string(name);
  created.user.email = std::string(email);
  created.user.role = role;
  created.user.created_at = now;
  IssuedToken token = make_token(model::TokenKind::kUser, company_id, created.user.id, now, token_expires_at);
  if (auto stored = store.create_user(created.user, token.record); !stored) return forward_error(stored);
  created.token = std::move(token.text);
  return created;
}

Result<IssuedToken> create_ingest_token(store::IdentityStore& store, const Clock& clock,
                                        const std::string& company_id, std::optional<TimePoint> expires_at) {
  IssuedToken token =
      make_token(model::TokenKind::kIngest, company_id, std::nullopt, clock.now(), expires_at);
  if (auto stored = store.create_token(token.record); !stored) return forward_error(stored);
  return token;
}

Result<IssuedToken> create_user_token(store::IdentityStore& store, const Clock& clock,
                                      const std::string& company_id, const std::string& user_id,
                                      std::optional<TimePoint> expires_at) {
  IssuedToken token = make_token(model::TokenKind::kUser, company_id, user_id, clock.now(), expires_at);
  if (auto stored = store.create_token(token.record); !stored) return forward_error(stored);
  return token;
}

}  // namespace switchboard::api
