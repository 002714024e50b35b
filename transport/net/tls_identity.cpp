#include "transport/net/tls_identity.hpp"

#include <fstream>
#include <iterator>
#include <memory>

#include <boost/asio/ip/address.hpp>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace webaccel {

namespace {

template <class T, void (*Free)(T*)>
struct openssl_deleter {
  void operator()(T* p) const {
    Free(p);
  }
};

using bio_ptr = std::unique_ptr<BIO, openssl_deleter<BIO, BIO_free_all>>;
using x509_ptr = std::unique_ptr<X509, openssl_deleter<X509, X509_free>>;
using pkey_ptr
  = std::unique_ptr<EVP_PKEY, openssl_deleter<EVP_PKEY, EVP_PKEY_free>>;
using ext_ptr
  = std::unique_ptr<X509_EXTENSION,
                    openssl_deleter<X509_EXTENSION, X509_EXTENSION_free>>;

/// OpenSSL's most recent error, in words, and clears its queue.
std::string openssl_error() {
  auto code = ERR_get_error();
  ERR_clear_error();
  if (code == 0)
    return "unknown OpenSSL error";
  char text[256];
  ERR_error_string_n(code, text, sizeof text);
  return text;
}

std::string base64(const unsigned char* data, size_t size) {
  std::string out(4 * ((size + 2) / 3), '\0');
  auto n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data,
                           static_cast<int>(size));
  out.resize(static_cast<size_t>(n));
  return out;
}

bool spki_hash(X509* cert, std::string& out) {
  unsigned char* der = nullptr;
  int n = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(cert), &der);
  if (n <= 0)
    return false;
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_size = 0;
  bool ok = EVP_Digest(der, static_cast<size_t>(n), digest, &digest_size,
                       EVP_sha256(), nullptr)
            == 1;
  OPENSSL_free(der);
  if (ok)
    out = base64(digest, digest_size);
  return ok;
}

bool fingerprint(X509* cert, std::string& out) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (X509_digest(cert, EVP_sha256(), digest, &size) != 1)
    return false;
  static constexpr char hex[] = "0123456789ABCDEF";
  out.clear();
  for (unsigned i = 0; i < size; ++i) {
    if (i > 0)
      out += ':';
    out += hex[digest[i] >> 4];
    out += hex[digest[i] & 0xf];
  }
  return true;
}

/// Fills the two digests from the leaf of `out.certificate_pem`.
bool describe_leaf(X509* leaf, tls_identity& out, std::string& error) {
  if (!spki_hash(leaf, out.spki_sha256)
      || !fingerprint(leaf, out.fingerprint_sha256)) {
    error = "cannot hash the certificate: " + openssl_error();
    return false;
  }
  return true;
}

std::string to_pem(X509* cert) {
  bio_ptr bio{BIO_new(BIO_s_mem())};
  PEM_write_bio_X509(bio.get(), cert);
  char* data = nullptr;
  auto n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(n));
}

std::string to_pem(EVP_PKEY* key) {
  bio_ptr bio{BIO_new(BIO_s_mem())};
  PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr,
                           nullptr);
  char* data = nullptr;
  auto n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(n));
}

bool add_extension(X509* cert, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  ext_ptr ext{X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str())};
  return ext && X509_add_ext(cert, ext.get(), -1) == 1;
}

/// "IP:a,DNS:b,..." for subjectAltName.
std::string alt_names(const std::vector<std::string>& hosts) {
  std::string out;
  for (auto& host : hosts) {
    boost::system::error_code ec;
    auto addr = boost::asio::ip::make_address(host, ec);
    if (!out.empty())
      out += ',';
    if (!ec)
      out += "IP:" + addr.to_string();
    else
      out += "DNS:" + host;
  }
  return out;
}

bool read_file(const std::string& path, std::string& out, std::string& error) {
  std::ifstream in{path, std::ios::binary};
  if (!in) {
    error = path + ": cannot be read";
    return false;
  }
  out.assign(std::istreambuf_iterator<char>{in}, {});
  return true;
}

} // namespace

bool load_tls_identity(const std::string& certificate_file,
                       const std::string& key_file, tls_identity& out,
                       std::string& error) {
  std::string cert_text, key_text;
  if (!read_file(certificate_file, cert_text, error)
      || !read_file(key_file, key_text, error))
    return false;
  bio_ptr cert_bio{
    BIO_new_mem_buf(cert_text.data(), static_cast<int>(cert_text.size()))};
  x509_ptr leaf{PEM_read_bio_X509(cert_bio.get(), nullptr, nullptr, nullptr)};
  if (!leaf) {
    ERR_clear_error();
    error = certificate_file + ": no PEM certificate in it";
    return false;
  }
  bio_ptr key_bio{
    BIO_new_mem_buf(key_text.data(), static_cast<int>(key_text.size()))};
  pkey_ptr key{
    PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr)};
  if (!key) {
    ERR_clear_error();
    error = key_file + ": no unencrypted PEM private key in it";
    return false;
  }
  if (X509_check_private_key(leaf.get(), key.get()) != 1) {
    ERR_clear_error();
    error = key_file + ": this key does not belong to the certificate in "
            + certificate_file;
    return false;
  }
  if (X509_cmp_current_time(X509_get0_notAfter(leaf.get())) < 0) {
    error = certificate_file + ": the certificate has expired";
    return false;
  }
  if (X509_cmp_current_time(X509_get0_notBefore(leaf.get())) > 0) {
    error = certificate_file + ": the certificate is not valid yet";
    return false;
  }
  out = tls_identity{};
  out.certificate_pem = std::move(cert_text);
  out.private_key_pem = std::move(key_text);
  return describe_leaf(leaf.get(), out, error);
}

bool generate_tls_identity(const std::vector<std::string>& hosts,
                           tls_identity& out, std::string& error) {
  pkey_ptr key{EVP_EC_gen("P-256")};
  x509_ptr cert{X509_new()};
  if (!key || !cert) {
    error = "cannot create a key: " + openssl_error();
    return false;
  }
  auto serial = BN_new();
  bool ok = serial && BN_rand(serial, 120, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY)
            && BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(cert.get()));
  BN_free(serial);
  auto* name = X509_get_subject_name(cert.get());
  ok = ok
       && X509_set_version(cert.get(), 2)
       // An hour back, for clocks a little behind ours.
       && X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600)
       && X509_gmtime_adj(X509_getm_notAfter(cert.get()), 30L * 24 * 3600)
       && X509_set_pubkey(cert.get(), key.get())
       && X509_NAME_add_entry_by_txt(
         name, "CN", MBSTRING_ASC,
         reinterpret_cast<const unsigned char*>("webaccel page server"), -1, -1,
         0)
       && X509_set_issuer_name(cert.get(), name)
       && add_extension(cert.get(), NID_basic_constraints, "critical,CA:FALSE")
       && add_extension(cert.get(), NID_key_usage, "critical,digitalSignature")
       && add_extension(cert.get(), NID_ext_key_usage, "serverAuth")
       && (hosts.empty()
           || add_extension(cert.get(), NID_subject_alt_name, alt_names(hosts)))
       && X509_sign(cert.get(), key.get(), EVP_sha256()) > 0;
  if (!ok) {
    error = "cannot make a certificate: " + openssl_error();
    return false;
  }
  out = tls_identity{};
  out.certificate_pem = to_pem(cert.get());
  out.private_key_pem = to_pem(key.get());
  out.generated = true;
  return describe_leaf(cert.get(), out, error);
}

} // namespace webaccel
