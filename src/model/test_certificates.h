// Test only: X.509 certificates made in-process with OpenSSL for the mutual
// TLS tests (model, store, delivery, API): a CA, client certificates it
// issues (or self-signed ones), expired ones, ones for the wrong purpose.
// Throws std::runtime_error when OpenSSL fails (a broken test setup).
#pragma once

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <atomic>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace switchboard::model::testing {

struct TestPem {
  std::string cert_pem;
  std::string key_pem;
};

struct TestCertOptions {
  std::string common_name = "switchboard-client";
  long not_before_seconds = -3600;                // relative to the wall clock now
  long not_after_seconds = 7 * 24 * 3600;         // relative to the wall clock now
  bool ca = false;                                // CA:TRUE + keyCertSign
  std::string extended_key_usage = "clientAuth";  // empty: no EKU extension
  std::string subject_alt_name;                   // e.g. "DNS:localhost,IP:127.0.0.1"
  const TestPem* issuer = nullptr;                // null: self-signed
};

namespace detail {

inline void fail(const char* what) { throw std::runtime_error(std::string("test certificate: ") + what); }

inline std::string to_pem(const std::function<int(BIO*)>& write) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
  if (write(bio.get()) != 1) fail("PEM_write");
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(size));
}

template <typename T, typename Read>
T* from_pem(const std::string& pem, Read read) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())),
                                                BIO_free);
  T* out = read(bio.get(), nullptr, nullptr, nullptr);
  if (out == nullptr) fail("PEM_read");
  return out;
}

}  // namespace detail

inline TestPem make_certificate(const TestCertOptions& options = {}) {
  using detail::fail;
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_EC_gen("P-256"), EVP_PKEY_free);
  if (!key) fail("EVP_EC_gen");
  std::unique_ptr<X509, decltype(&X509_free)> cert(X509_new(), X509_free);
  X509_set_version(cert.get(), 2);
  static std::atomic<long> serial{1000};
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial++);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), options.not_before_seconds);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), options.not_after_seconds);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("Switchboard Tests"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(options.common_name.c_str()), -1, -1, 0);

  std::unique_ptr<X509, decltype(&X509_free)> issuer_cert(nullptr, X509_free);
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> issuer_key(nullptr, EVP_PKEY_free);
  if (options.issuer != nullptr) {
    issuer_cert.reset(detail::from_pem<X509>(options.issuer->cert_pem, PEM_read_bio_X509));
    issuer_key.reset(detail::from_pem<EVP_PKEY>(options.issuer->key_pem, PEM_read_bio_PrivateKey));
    X509_set_issuer_name(cert.get(), X509_get_subject_name(issuer_cert.get()));
  } else {
    X509_set_issuer_name(cert.get(), name);
  }
  X509* signer_cert = issuer_cert ? issuer_cert.get() : cert.get();
  EVP_PKEY* signer_key = issuer_key ? issuer_key.get() : key.get();

  std::vector<std::pair<int, std::string>> extensions = {
      {NID_basic_constraints, options.ca ? "critical,CA:TRUE" : "critical,CA:FALSE"},
      {NID_key_usage, options.ca ? "critical,digitalSignature,keyCertSign" : "critical,digitalSignature"},
      {NID_subject_key_identifier, "hash"},
  };
  if (!options.extended_key_usage.empty())
    extensions.emplace_back(NID_ext_key_usage, options.extended_key_usage);
  if (!options.subject_alt_name.empty())
    extensions.emplace_back(NID_subject_alt_name, options.subject_alt_name);
  for (const auto& [nid, value] : extensions) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, signer_cert, cert.get(), nullptr, nullptr, 0);
    X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
    if (extension == nullptr) fail("X509V3_EXT_conf_nid");
    X509_add_ext(cert.get(), extension, -1);
    X509_EXTENSION_free(extension);
  }
  if (X509_sign(cert.get(), signer_key, EVP_sha256()) == 0) fail("X509_sign");
  TestPem out;
  out.cert_pem = detail::to_pem([&](BIO* bio) { return PEM_write_bio_X509(bio, cert.get()); });
  out.key_pem = detail::to_pem([&](BIO* bio) {
    return PEM_write_bio_PrivateKey(bio, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  });
  return out;
}

// A CA that can issue client certificates.
inline TestPem make_ca(const std::string& common_name = "switchboard-test-ca") {
  return make_certificate({.common_name = common_name, .ca = true, .extended_key_usage = ""});
}

// The key in PEM encrypted with `passphrase` (AES-256-CBC, PKCS#8).
inline std::string encrypted_key_pem(const std::string& key_pem, const std::string& passphrase) {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
      detail::from_pem<EVP_PKEY>(key_pem, PEM_read_bio_PrivateKey), EVP_PKEY_free);
  return detail::to_pem([&](BIO* bio) {
    return PEM_write_bio_PKCS8PrivateKey(bio, key.get(), EVP_aes_256_cbc(), passphrase.c_str(),
                                         static_cast<int>(passphrase.size()), nullptr, nullptr);
  });
}

}  // namespace switchboard::model::testing
