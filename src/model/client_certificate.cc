#include "model/client_certificate.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <ctime>
#include <memory>
#include <vector>

#include "common/crypto.h"
#include "model/error_codes.h"
#include "model/limits.h"

namespace switchboard::model {

namespace {

using BioPtr = std::unique_ptr<BIO, decltype(&BIO_free)>;
using X509Ptr = std::unique_ptr<X509, decltype(&X509_free)>;
using KeyPtr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;

constexpr char kCertificateField[] = "certificate";
constexpr char kKeyField[] = "private_key";

tl::unexpected<FieldError> problem(const char* field, const char* code, std::string message) {
  return tl::unexpected(FieldError{field, code, std::move(message)});
}

BioPtr read_bio(std::string_view text) {
  return BioPtr(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())), BIO_free);
}

std::size_t count_pem_blocks(std::string_view text) {
  std::size_t count = 0;
  for (std::size_t at = text.find("-----BEGIN "); at != std::string_view::npos;
       at = text.find("-----BEGIN ", at + 1)) {
    ++count;
  }
  return count;
}

// Never prompts for a passphrase (OpenSSL's default would read the terminal):
// an encrypted key simply does not load.
int no_passphrase(char*, int, int, void*) { return -1; }

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  return size > 0 ? std::string(data, static_cast<std::size_t>(size)) : std::string();
}

std::string name_text(const X509_NAME* name) {
  BioPtr bio(BIO_new(BIO_s_mem()), BIO_free);
  X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253);
  return bio_text(bio.get());
}

TimePoint time_point(const ASN1_TIME* time) {
  std::tm tm{};
  if (ASN1_TIME_to_tm(time, &tm) != 1) return TimePoint{};
  return std::chrono::time_point_cast<std::chrono::milliseconds>(
      std::chrono::system_clock::from_time_t(timegm(&tm)));
}

std::string fingerprint(X509* leaf) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  X509_digest(leaf, EVP_sha256(), digest, &length);
  return crypto::hex_encode(std::string_view(reinterpret_cast<const char*>(digest), length));
}

tl::expected<std::vector<X509Ptr>, FieldError> parse_chain(std::string_view text) {
  if (text.empty()) return problem(kCertificateField, error_codes::kRequired, "certificate is required.");
  if (text.size() > limits::kMaxClientCertificateBytes) {
    return problem(kCertificateField, error_codes::kTooLong,
                   "certificate must be at most " + std::to_string(limits::kMaxClientCertificateBytes) +
                       " bytes of PEM.");
  }
  BioPtr bio = read_bio(text);
  std::vector<X509Ptr> chain;
  while (X509* cert = PEM_read_bio_X509(bio.get(), nullptr, no_passphrase, nullptr)) {
    chain.emplace_back(cert, X509_free);
  }
  ERR_clear_error();
  if (chain.empty() || chain.size() != count_pem_blocks(text)) {
    return problem(kCertificateField, error_codes::kInvalidCertificate,
                   "certificate must be PEM \"CERTIFICATE\" blocks only: the client certificate, then "
                   "its chain.");
  }
  if (chain.size() > limits::kMaxClientCertificateChain) {
    return problem(kCertificateField, error_codes::kTooMany,
                   "certificate may hold at most " + std::to_string(limits::kMaxClientCertificateChain) +
                       " certificates.");
  }
  return chain;
}

tl::expected<KeyPtr, FieldError> parse_key(std::string_view text) {
  if (text.empty()) return problem(kKeyField, error_codes::kRequired, "private_key is required.");
  if (text.size() > limits::kMaxClientKeyBytes) {
    return problem(
        kKeyField, error_codes::kTooLong,
        "private_key must be at most " + std::to_string(limits::kMaxClientKeyBytes) + " bytes of PEM.");
  }
  if (text.find("ENCRYPTED") != std::string_view::npos) {
    return problem(kKeyField, error_codes::kInvalidPrivateKey,
                   "private_key must not be encrypted: upload it without a passphrase (it is sealed at "
                   "rest).");
  }
  BioPtr bio = read_bio(text);
  KeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr), EVP_PKEY_free);
  ERR_clear_error();
  if (!key || count_pem_blocks(text) != 1) {
    return problem(kKeyField, error_codes::kInvalidPrivateKey,
                   "private_key must be one PEM private key (PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE "
                   "KEY).");
  }
  return key;
}

}  // namespace

tl::expected<ClientCertificate, FieldError> parse_client_certificate(std::string_view certificate_pem,
                                                                     std::string_view private_key_pem,
                                                                     TimePoint now) {
  auto chain = parse_chain(certificate_pem);
  if (!chain) return forward_error(chain);
  X509* leaf = chain->front().get();
  const std::time_t now_seconds = std::chrono::system_clock::to_time_t(now);
  if (X509_cmp_time(X509_get0_notAfter(leaf), const_cast<std::time_t*>(&now_seconds)) < 0) {
    return problem(kCertificateField, error_codes::kCertificateExpired,
                   "The certificate has expired: upload a current one.");
  }
  if (X509_check_purpose(leaf, X509_PURPOSE_SSL_CLIENT, 0) != 1) {
    ERR_clear_error();
    return problem(kCertificateField, error_codes::kInvalidCertificate,
                   "The certificate is not for TLS client authentication (its key usage or extended key "
                   "usage excludes clientAuth).");
  }
  auto key = parse_key(private_key_pem);
  if (!key) return forward_error(key);
  if (X509_check_private_key(leaf, key->get()) != 1) {
    ERR_clear_error();
    return problem(kKeyField, error_codes::kKeyMismatch,
                   "private_key does not belong to the certificate (the first one in the chain).");
  }

  ClientCertificate out;
  BioPtr certs(BIO_new(BIO_s_mem()), BIO_free);
  for (const auto& cert : *chain) PEM_write_bio_X509(certs.get(), cert.get());
  out.certificate_pem = bio_text(certs.get());
  BioPtr key_text(BIO_new(BIO_s_mem()), BIO_free);
  PEM_write_bio_PrivateKey(key_text.get(), key->get(), nullptr, nullptr, 0, nullptr, nullptr);
  out.private_key_pem = bio_text(key_text.get());
  out.subject = name_text(X509_get_subject_name(leaf));
  out.issuer = name_text(X509_get_issuer_name(leaf));
  out.not_after = time_point(X509_get0_notAfter(leaf));
  out.fingerprint_sha256 = fingerprint(leaf);
  return out;
}

}  // namespace switchboard::model
