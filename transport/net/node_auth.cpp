#include "transport/net/node_auth.hpp"

#include <sys/stat.h>

#include <fstream>
#include <iterator>
#include <stdexcept>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

namespace webaccel {

namespace {

constexpr size_t min_secret_bytes = 16;

std::string hex(const unsigned char* data, size_t size) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * size);
  for (size_t i = 0; i < size; ++i) {
    out += digits[data[i] >> 4];
    out += digits[data[i] & 0xf];
  }
  return out;
}

const char* role_label(node_role r) {
  return r == node_role::head ? "webaccel-head" : "webaccel-node";
}

} // namespace

std::string make_node_nonce() {
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof bytes) != 1)
    throw std::runtime_error("OpenSSL has no random bytes for a nonce");
  return hex(bytes, sizeof bytes);
}

std::string hmac_sha256_hex(const std::string& key, const std::string& data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest,
       &size);
  return hex(digest, size);
}

bool is_node_nonce(const std::string& x) {
  if (x.size() != 64)
    return false;
  for (char c : x)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
      return false;
  return true;
}

std::string node_proof(const std::string& secret, node_role prover,
                       const std::string& prover_nonce,
                       const std::string& verifier_nonce,
                       const std::string& node_name) {
  // Fields are separated by a byte none of them holds (nonces are hex,
  // names are checked by the caller), so no two inputs read alike.
  std::string data = role_label(prover);
  for (auto* field : {&prover_nonce, &verifier_nonce, &node_name}) {
    data += '\n';
    data += *field;
  }
  return hmac_sha256_hex(secret, data);
}

bool node_proof_matches(const std::string& proof, const std::string& secret,
                        node_role prover, const std::string& prover_nonce,
                        const std::string& verifier_nonce,
                        const std::string& node_name) {
  auto expected = node_proof(secret, prover, prover_nonce, verifier_nonce,
                             node_name);
  return proof.size() == expected.size()
         && CRYPTO_memcmp(proof.data(), expected.data(), expected.size()) == 0;
}

bool read_node_secret(const std::string& path, std::string& secret,
                      std::string& error) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) {
    error = path + ": cannot be read";
    return false;
  }
  if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    error = path + ": others than its owner may read it (chmod 600 it)";
    return false;
  }
  std::ifstream in{path, std::ios::binary};
  if (!in) {
    error = path + ": cannot be read";
    return false;
  }
  secret.assign(std::istreambuf_iterator<char>{in}, {});
  while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r'))
    secret.pop_back();
  if (secret.size() < min_secret_bytes) {
    error = path + ": the secret has " + std::to_string(secret.size())
            + " bytes; a node secret needs at least "
            + std::to_string(min_secret_bytes);
    return false;
  }
  return true;
}

} // namespace webaccel
