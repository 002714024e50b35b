#include "transport/net/tls_identity.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>

#include <doctest/doctest.h>

#include "transport/browser/process.hpp"

using namespace webaccel;

namespace {

/// A scratch directory of PEM files, removed at the end.
struct pem_dir {
  std::string path;

  pem_dir() {
    std::string error;
    path = make_scratch_dir("tls-test-", error);
    REQUIRE_MESSAGE(!path.empty(), error);
  }

  ~pem_dir() {
    std::filesystem::remove_all(path);
  }

  std::string write(const std::string& name, const std::string& text) const {
    auto file = path + "/" + name;
    std::ofstream{file} << text;
    return file;
  }
};

/// What OpenSSL's own command line says `pem`'s SPKI hash is: the recipe
/// Chromium's documentation gives for --ignore-certificate-errors-spki-list.
std::string openssl_spki_hash(const pem_dir& dir, const std::string& pem) {
  auto cert = dir.write("cli.pem", pem);
  std::string error;
  auto out = capture_output(
    "/bin/sh",
    {"-c", "openssl x509 -in '" + cert
             + "' -pubkey -noout | openssl pkey -pubin -outform der"
               " | openssl dgst -sha256 -binary | openssl enc -base64"},
    std::chrono::seconds{20}, error);
  REQUIRE_MESSAGE(out.has_value(), error);
  auto text = *out;
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r'))
    text.pop_back();
  return text;
}

} // namespace

TEST_CASE("a generated identity is self-signed for its hosts, and its SPKI "
          "hash is the one OpenSSL's tools compute") {
  tls_identity id;
  std::string error;
  REQUIRE_MESSAGE(generate_tls_identity({"10.203.0.1", "localhost"}, id, error),
                  error);
  CHECK(id.generated);
  CHECK(id.certificate_pem.rfind("-----BEGIN CERTIFICATE-----", 0) == 0);
  CHECK(id.private_key_pem.find("PRIVATE KEY-----") != std::string::npos);
  CHECK(id.spki_sha256.size() == 44); // base64 of 32 bytes
  CHECK(id.fingerprint_sha256.size() == 32 * 3 - 1);
  pem_dir dir;
  CHECK(openssl_spki_hash(dir, id.certificate_pem) == id.spki_sha256);
  auto cert = dir.write("cert.pem", id.certificate_pem);
  auto out = capture_output(
    "/bin/sh", {"-c", "openssl x509 -in '" + cert + "' -noout -text"},
    std::chrono::seconds{20}, error);
  REQUIRE_MESSAGE(out.has_value(), error);
  CHECK(out->find("IP Address:10.203.0.1") != std::string::npos);
  CHECK(out->find("DNS:localhost") != std::string::npos);
  CHECK(out->find("TLS Web Server Authentication") != std::string::npos);

  SUBCASE("two generations never share a key") {
    tls_identity other;
    REQUIRE(generate_tls_identity({"localhost"}, other, error));
    CHECK(other.spki_sha256 != id.spki_sha256);
  }
}

TEST_CASE("a configured identity loads from PEM files, and every wrong file "
          "is named") {
  tls_identity made, other;
  std::string error;
  REQUIRE(generate_tls_identity({"localhost"}, made, error));
  REQUIRE(generate_tls_identity({"localhost"}, other, error));
  pem_dir dir;
  auto cert = dir.write("cert.pem", made.certificate_pem);
  auto key = dir.write("key.pem", made.private_key_pem);

  SUBCASE("the pair loads, with the same hashes") {
    tls_identity loaded;
    REQUIRE_MESSAGE(load_tls_identity(cert, key, loaded, error), error);
    CHECK_FALSE(loaded.generated);
    CHECK(loaded.spki_sha256 == made.spki_sha256);
    CHECK(loaded.fingerprint_sha256 == made.fingerprint_sha256);
  }
  SUBCASE("a missing file") {
    tls_identity loaded;
    CHECK_FALSE(load_tls_identity(dir.path + "/none.pem", key, loaded, error));
    CHECK(error == dir.path + "/none.pem: cannot be read");
  }
  SUBCASE("not a certificate") {
    tls_identity loaded;
    auto junk = dir.write("junk.pem", "hello\n");
    CHECK_FALSE(load_tls_identity(junk, key, loaded, error));
    CHECK(error == junk + ": no PEM certificate in it");
    CHECK_FALSE(load_tls_identity(cert, junk, loaded, error));
    CHECK(error == junk + ": no unencrypted PEM private key in it");
  }
  SUBCASE("another certificate's key") {
    tls_identity loaded;
    auto wrong = dir.write("wrong.pem", other.private_key_pem);
    CHECK_FALSE(load_tls_identity(cert, wrong, loaded, error));
    CHECK(error
          == wrong + ": this key does not belong to the certificate in "
               + cert);
  }
}
