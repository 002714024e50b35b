// What a test makes of the network with `ip`: namespaces and veth links,
// each removed when the object goes (even when the test fails halfway).
// Needs root, as FACTS.md says. Used by veth_namespaces and
// star_namespaces.
#pragma once

#include <unistd.h>

#include <chrono>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "transport/browser/process.hpp"

namespace webaccel::test {

/// `ip`'s path (iproute2).
inline std::string ip_path() {
  for (auto p : {"/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"})
    if (access(p, X_OK) == 0)
      return p;
  return "/usr/sbin/ip";
}

class test_network {
public:
  test_network() = default;
  test_network(const test_network&) = delete;
  test_network& operator=(const test_network&) = delete;

  ~test_network() {
    std::string error;
    // A veth end still in our namespace (a move failed) is not removed
    // with the namespaces.
    for (auto& link : links_)
      if (access(("/sys/class/net/" + link).c_str(), F_OK) == 0)
        capture_output(ip_path(), {"link", "del", link},
                       std::chrono::seconds{20}, error);
    for (auto& ns : namespaces_)
      capture_output(ip_path(), {"netns", "del", ns}, std::chrono::seconds{20},
                     error);
  }

  /// Runs `ip args...`; fails the test if it does. Namespaces it adds are
  /// deleted later.
  void ip(const std::vector<std::string>& args) {
    std::string error;
    auto out = capture_output(ip_path(), args, std::chrono::seconds{20}, error);
    std::string line;
    for (auto& a : args)
      line += " " + a;
    REQUIRE_MESSAGE(out, "ip" << line << ": " << error
                              << " (network namespaces need root)");
    if (args.size() >= 3 && args[0] == "netns" && args[1] == "add")
      namespaces_.push_back(args[2]);
  }

  /// `ip -n ns args...`.
  void in(const std::string& ns, std::vector<std::string> args) {
    args.insert(args.begin(), {"-n", ns});
    ip(args);
  }

  /// A veth pair made in this namespace, deleted later if it is still here.
  void add_veth(const std::string& a, const std::string& b) {
    ip({"link", "add", a, "type", "veth", "peer", "name", b});
    links_.push_back(a);
  }

private:
  std::vector<std::string> namespaces_, links_;
};

} // namespace webaccel::test
