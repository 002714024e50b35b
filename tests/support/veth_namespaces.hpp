// Two network namespaces of the test's own, joined by a veth pair: the
// "head" side and the "remote" side get 10.203.N.1 and 10.203.N.2 (N from
// the test's pid), so that a browser in one reaches a server in the other
// over a real, non-loopback network. Both are deleted (and the veth pair
// with them) when the object goes. Needs root, as FACTS.md says.
#pragma once

#include <unistd.h>

#include <chrono>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "tests/support/test_network.hpp"
#include "transport/browser/process.hpp"

namespace webaccel::test {

class veth_namespaces {
public:
  veth_namespaces() {
    auto id = std::to_string(getpid());
    head_ = "webaccel-head-" + id;
    remote_ = "webaccel-remote-" + id;
    auto subnet = "10.203." + std::to_string(getpid() % 250) + ".";
    head_address_ = subnet + "1";
    remote_address_ = subnet + "2";
    // Interface names have at most 15 characters.
    auto head_if = "wah" + id, remote_if = "war" + id;
    net_.ip({"netns", "add", head_});
    net_.ip({"netns", "add", remote_});
    net_.add_veth(head_if, remote_if);
    net_.ip({"link", "set", head_if, "netns", head_});
    net_.ip({"link", "set", remote_if, "netns", remote_});
    net_.in(head_, {"addr", "add", head_address_ + "/30", "dev", head_if});
    net_.in(remote_,
            {"addr", "add", remote_address_ + "/30", "dev", remote_if});
    for (auto& [ns, dev] : {std::pair{head_, head_if}, {remote_, remote_if}}) {
      net_.in(ns, {"link", "set", dev, "up"});
      net_.in(ns, {"link", "set", "lo", "up"});
    }
  }

  veth_namespaces(const veth_namespaces&) = delete;
  veth_namespaces& operator=(const veth_namespaces&) = delete;

  const std::string& head() const {
    return head_;
  }
  const std::string& remote() const {
    return remote_;
  }
  const std::string& head_address() const {
    return head_address_;
  }
  const std::string& remote_address() const {
    return remote_address_;
  }

  /// `ip`'s path (iproute2).
  static std::string ip_path() {
    return test::ip_path();
  }

  /// The command line that runs `exe` inside namespace `ns`.
  static std::vector<std::string> exec_in(const std::string& ns,
                                          const std::string& exe) {
    return {ip_path(), "netns", "exec", ns, exe};
  }

private:
  test_network net_;
  std::string head_, remote_, head_address_, remote_address_;
};

} // namespace webaccel::test
