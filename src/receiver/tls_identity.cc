#include "receiver/tls_identity.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <fstream>
#include <memory>
#include <sstream>
#include <system_error>

#include "common/crypto.h"
#include "common/result.h"

namespace switchboard::receiver {
namespace {

constexpr long kValiditySeconds = 365L * 24 * 3600;
constexpr long kBackdateSeconds = 3600;  // tolerate clients whose clock is a little behind

template <typename T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;
using BnPtr = std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_free>>;
using ExtPtr = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION, X509_EXTENSION_free>>;

tl::unexpected<Error> openssl_error(const char* what) {
  return make_error(ErrorCode::kInternal, std::string("OpenSSL failed to ") + what);
}

std::string bio_contents(BIO* bio) {
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  return size > 0 ? std::string(data, static_cast<std::size_t>(size)) : std::string();
}

bool add_extension(X509* cert, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  ExtPtr extension(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value));
  return extension && X509_add_ext(cert, extension.get(), -1) == 1;
}

bool set_random_serial(X509* cert) {
  const std::string bytes = crypto::random_bytes(16);
  BnPtr serial(BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()),
                         nullptr));
  if (!serial) return false;
  BN_set_negative(serial.get(), 0);
  BN_clear_bit(serial.get(), 127);  // positive and at most 16 bytes in DER
  return BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert)) != nullptr;
}

bool set_name(X509* cert) {
  X509_NAME* name = X509_get_subject_name(cert);
  const auto add = [name](const char* field, const char* value) {
    return X509_NAME_add_entry_by_txt(name, field, MBSTRING_ASC,
                                      reinterpret_cast<const unsigned char*>(value), -1, -1, 0) == 1;
  };
  return add("O", "Switchboard receive (development)") && add("CN", "localhost") &&
         X509_set_issuer_name(cert, name) == 1;
}

Result<std::string> read_file(const std::filesystem::path& path, const char* what) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return make_error(ErrorCode::kInvalidArgument, std::string("cannot read ") + what + " " + path.string());
  std::ostringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

// The first certificate of `cert_pem` and the key of `key_pem` parse and belong
// together.
Result<void> check_pair(const std::string& cert_pem, const std::string& key_pem,
                        const std::filesystem::path& cert_path, const std::filesystem::path& key_path) {
  BioPtr cert_bio(BIO_new_mem_buf(cert_pem.data(), static_cast<int>(cert_pem.size())));
  BioPtr key_bio(BIO_new_mem_buf(key_pem.data(), static_cast<int>(key_pem.size())));
  if (!cert_bio || !key_bio) return openssl_error("allocate a buffer");
  X509Ptr cert(PEM_read_bio_X509(cert_bio.get(), nullptr, nullptr, nullptr));
  if (!cert) return make_error(ErrorCode::kInvalidArgument, "no PEM certificate in " + cert_path.string());
  PkeyPtr key(PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr));
  if (!key) {
    return make_error(ErrorCode::kInvalidArgument, "no unencrypted PEM private key in " + key_path.string());
  }
  if (X509_check_private_key(cert.get(), key.get()) != 1) {
    return make_error(ErrorCode::kInvalidArgument,
                      "the key in " + key_path.string() + " does not match the certificate");
  }
  return {};
}

}  // namespace

Result<TlsIdentity> generate_self_signed_identity() {
  PkeyPtr key(EVP_EC_gen("P-256"));
  if (!key) return openssl_error("generate an EC P-256 key");
  X509Ptr cert(X509_new());
  if (!cert || X509_set_version(cert.get(), 2) != 1 || !set_random_serial(cert.get()) ||
      !set_name(cert.get()) || !X509_gmtime_adj(X509_getm_notBefore(cert.get()), -kBackdateSeconds) ||
      !X509_gmtime_adj(X509_getm_notAfter(cert.get()), kValiditySeconds) ||
      X509_set_pubkey(cert.get(), key.get()) != 1) {
    return openssl_error("build the certificate");
  }
  // A self-signed trust anchor that strict verifiers (OpenSSL X509_STRICT,
  // Python 3.13+, Go) also accept: critical CA basic constraints, key usage,
  // subject and authority key identifiers.
  if (!add_extension(cert.get(), NID_basic_constraints, "critical,CA:TRUE") ||
      !add_extension(cert.get(), NID_key_usage, "critical,digitalSignature,keyCertSign") ||
      !add_extension(cert.get(), NID_ext_key_usage, "serverAuth") ||
      !add_extension(cert.get(), NID_subject_key_identifier, "hash") ||
      !add_extension(cert.get(), NID_authority_key_identifier, "keyid:always") ||
      !add_extension(cert.get(), NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1,IP:::1")) {
    return openssl_error("add the certificate extensions");
  }
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) <= 0) return openssl_error("sign the certificate");

  BioPtr cert_bio(BIO_new(BIO_s_mem()));
  BioPtr key_bio(BIO_new(BIO_s_mem()));
  if (!cert_bio || !key_bio || PEM_write_bio_X509(cert_bio.get(), cert.get()) != 1 ||
      PEM_write_bio_PrivateKey(key_bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return openssl_error("encode the certificate as PEM");
  }
  return TlsIdentity{bio_contents(cert_bio.get()), bio_contents(key_bio.get())};
}

Result<TlsIdentity> load_identity(const std::filesystem::path& cert_path,
                                  const std::filesystem::path& key_path) {
  auto cert_pem = read_file(cert_path, "certificate");
  if (!cert_pem) return forward_error(cert_pem);
  auto key_pem = read_file(key_path, "private key");
  if (!key_pem) return forward_error(key_pem);
  if (auto usable = check_pair(*cert_pem, *key_pem, cert_path, key_path); !usable) {
    return forward_error(usable);
  }
  return TlsIdentity{std::move(*cert_pem), std::move(*key_pem)};
}

Result<void> write_pem_file(const std::filesystem::path& path, const std::string& pem) {
  const std::filesystem::path temporary = path.string() + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << pem;
    out.close();
    if (!out) return make_error(ErrorCode::kUnavailable, "cannot write " + temporary.string());
  }
  std::error_code ec;
  std::filesystem::permissions(temporary,
                               std::filesystem::perms::owner_read | std::filesystem::perms::owner_write |
                                   std::filesystem::perms::group_read | std::filesystem::perms::others_read,
                               ec);
  std::filesystem::rename(temporary, path, ec);
  if (ec) return make_error(ErrorCode::kUnavailable, "cannot write " + path.string() + ": " + ec.message());
  return {};
}

}  // namespace switchboard::receiver
