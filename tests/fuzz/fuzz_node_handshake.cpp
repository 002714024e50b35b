// A node's handshake as the head reads it: the node's name, its nonce and
// its proof (split at the first two NUL bytes), and a head address as a
// node's config gives it. Each check answers yes or no with a reason;
// a crash, hang or throw is a bug.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "config/node_policy.hpp"
#include "transport/net/node_auth.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in{reinterpret_cast<const char*>(data), size};
  auto a = in.find('\0');
  auto b = a == std::string_view::npos ? a : in.find('\0', a + 1);
  std::string name{in.substr(0, a)};
  std::string nonce{a == std::string_view::npos ? std::string_view{}
                                                : in.substr(a + 1, b - a - 1)};
  std::string proof{b == std::string_view::npos ? std::string_view{}
                                                : in.substr(b + 1)};
  std::string error;
  webaccel::valid_node_name(name, error);
  webaccel::is_node_nonce(nonce);
  webaccel::node_proof_matches(proof, "a shared secret of the fuzzer",
                               webaccel::node_role::node, nonce, nonce, name);
  std::string host;
  uint16_t port = 0;
  webaccel::parse_head_address(name, host, port, error);
  return 0;
}
