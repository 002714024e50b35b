#include "transport/net/node_auth.hpp"

#include <sys/stat.h>

#include <fstream>

#include <doctest/doctest.h>

#include "tests/support/scratch_dir.hpp"

using namespace webaccel;

TEST_CASE("HMAC-SHA256 gives RFC 4231's test vectors") {
  // Test case 2 ("Jefe") and test case 1 (20 bytes of 0x0b).
  CHECK(hmac_sha256_hex("Jefe", "what do ya want for nothing?")
        == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  CHECK(hmac_sha256_hex(std::string(20, '\x0b'), "Hi There")
        == "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
}

TEST_CASE("a node proof holds only for its secret, role, nonces and name") {
  auto a = make_node_nonce(), b = make_node_nonce();
  CHECK(a.size() == 64);
  CHECK(a != b);
  const std::string secret = "correct horse battery staple";
  auto proof = node_proof(secret, node_role::node, a, b, "gpu-box-1");
  CHECK(node_proof_matches(proof, secret, node_role::node, a, b, "gpu-box-1"));
  CHECK_FALSE(node_proof_matches(proof, "another secret!!", node_role::node, a,
                                 b, "gpu-box-1"));
  // The head's proof is another: a proof cannot be sent back as the reply.
  CHECK_FALSE(
    node_proof_matches(proof, secret, node_role::head, a, b, "gpu-box-1"));
  CHECK_FALSE(
    node_proof_matches(proof, secret, node_role::node, b, a, "gpu-box-1"));
  CHECK_FALSE(
    node_proof_matches(proof, secret, node_role::node, a, b, "gpu-box-2"));
  CHECK_FALSE(node_proof_matches(proof.substr(1), secret, node_role::node, a, b,
                                 "gpu-box-1"));
  CHECK_FALSE(
    node_proof_matches("", secret, node_role::node, a, b, "gpu-box-1"));
}

TEST_CASE("a node secret file must be private and long enough") {
  test::scratch_dir dir{"secret"};
  auto write = [&](const std::string& name, const std::string& text,
                   mode_t mode) {
    auto path = dir.file(name);
    std::ofstream{path} << text;
    chmod(path.c_str(), mode);
    return path;
  };
  std::string secret, error;
  auto good = write("good", "0123456789abcdef0123\n", 0600);
  REQUIRE_MESSAGE(read_node_secret(good, secret, error), error);
  CHECK(secret == "0123456789abcdef0123");
  auto open = write("open", "0123456789abcdef0123\n", 0644);
  CHECK_FALSE(read_node_secret(open, secret, error));
  CHECK(error == open + ": others than its owner may read it (chmod 600 it)");
  auto short_one = write("short", "tiny\n", 0600);
  CHECK_FALSE(read_node_secret(short_one, secret, error));
  CHECK(error
        == short_one
             + ": the secret has 4 bytes; a node secret needs at least 16");
  CHECK_FALSE(read_node_secret(dir.file("none"), secret, error));
  CHECK(error == dir.file("none") + ": cannot be read");
}
