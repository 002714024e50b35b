// How a webaccel node and its head prove to each other that they share a
// secret, without sending it: HMAC-SHA256 over both sides' fresh nonces,
// the node's name and the prover's role (so that a proof cannot be
// reflected back). The head proves itself first; a node that fails gets
// nothing but a refusal.
#pragma once

#include <string>

namespace webaccel {

/// Who proves: the head to a node, or a node to its head.
enum class node_role { head, node };

/// 32 random bytes from OpenSSL's generator, as 64 hex digits.
std::string make_node_nonce();

/// Whether `x` has a nonce's form: 64 lower-case hex digits.
bool is_node_nonce(const std::string& x);

/// HMAC-SHA256 (hex) of `secret` over role, the prover's and the
/// verifier's nonces and the node's name.
std::string node_proof(const std::string& secret, node_role prover,
                       const std::string& prover_nonce,
                       const std::string& verifier_nonce,
                       const std::string& node_name);

/// Whether `proof` is what `node_proof` gives; compared in constant time.
bool node_proof_matches(const std::string& proof, const std::string& secret,
                        node_role prover, const std::string& prover_nonce,
                        const std::string& verifier_nonce,
                        const std::string& node_name);

/// HMAC-SHA256 of `data` under `key`, hex (exposed for its test vectors).
std::string hmac_sha256_hex(const std::string& key, const std::string& data);

/// Reads a shared secret from `path` (one line; a trailing newline is
/// dropped). Returns false and sets `error`, naming the file, if it cannot
/// be read, is shorter than 16 bytes, or others than its owner may read it.
bool read_node_secret(const std::string& path, std::string& secret,
                      std::string& error);

} // namespace webaccel
