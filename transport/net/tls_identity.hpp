// The page server's TLS identity: a certificate chain and its private key,
// as PEM, read from configured files or generated for one run. Browsers
// are told to trust exactly this key: `spki_sha256` is what Chromium's
// --ignore-certificate-errors-spki-list takes.
#pragma once

#include <string>
#include <vector>

namespace webaccel {

struct tls_identity {
  /// The leaf certificate first, then any intermediates.
  std::string certificate_pem;
  std::string private_key_pem;
  /// Base64 of SHA-256 over the leaf's DER SubjectPublicKeyInfo.
  std::string spki_sha256;
  /// The leaf's SHA-256 fingerprint, "AB:CD:..." (what Firefox and
  /// `openssl x509 -fingerprint -sha256` print).
  std::string fingerprint_sha256;
  /// True if generate_tls_identity made it.
  bool generated = false;
};

/// Reads a PEM certificate (chain) and its PEM private key. Returns false
/// and sets `error`, naming the file and what is wrong with it, if either
/// cannot be read or parsed, the key does not belong to the certificate,
/// or the certificate has expired or is not valid yet.
bool load_tls_identity(const std::string& certificate_file,
                       const std::string& key_file, tls_identity& out,
                       std::string& error);

/// A fresh self-signed certificate (ECDSA P-256, valid for 30 days) for
/// `hosts`: IP addresses go into its subjectAltName as IP entries, names
/// as DNS entries. Returns false and sets `error` if OpenSSL fails.
bool generate_tls_identity(const std::vector<std::string>& hosts,
                           tls_identity& out, std::string& error);

} // namespace webaccel
