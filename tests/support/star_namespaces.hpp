// A head's network namespace and one namespace per node, each node joined
// to the head by a veth pair of its own: node i's link has 10.(204+i).N.1
// on the head's side and 10.(204+i).N.2 on the node's (N from the test's
// pid). Every address lives inside the namespaces the test made, and all
// go (with their links) when the object goes. cut() and mend() take a
// node's link down and up again: a node cut off without a close. Needs
// root, as FACTS.md says.
#pragma once

#include <unistd.h>

#include <chrono>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "tests/support/test_network.hpp"

namespace webaccel::test {

class star_namespaces {
public:
  explicit star_namespaces(size_t nodes) {
    auto id = std::to_string(getpid());
    head_ = "webaccel-star-" + id;
    net_.ip({"netns", "add", head_});
    net_.in(head_, {"link", "set", "lo", "up"});
    for (size_t i = 0; i < nodes; ++i) {
      leaf l;
      auto n = std::to_string(i);
      l.ns = "webaccel-leaf" + n + "-" + id;
      auto subnet = "10." + std::to_string(204 + i) + "."
                    + std::to_string(getpid() % 250) + ".";
      l.head_address = subnet + "1";
      l.node_address = subnet + "2";
      // Interface names have at most 15 characters.
      l.head_if = "wsh" + n + "-" + id;
      auto node_if = "wsn" + n + "-" + id;
      net_.ip({"netns", "add", l.ns});
      net_.add_veth(l.head_if, node_if);
      net_.ip({"link", "set", l.head_if, "netns", head_});
      net_.ip({"link", "set", node_if, "netns", l.ns});
      net_.in(head_, {"addr", "add", l.head_address + "/30", "dev", l.head_if});
      net_.in(l.ns, {"addr", "add", l.node_address + "/30", "dev", node_if});
      net_.in(head_, {"link", "set", l.head_if, "up"});
      net_.in(l.ns, {"link", "set", node_if, "up"});
      net_.in(l.ns, {"link", "set", "lo", "up"});
      leaves_.push_back(l);
    }
  }

  star_namespaces(const star_namespaces&) = delete;
  star_namespaces& operator=(const star_namespaces&) = delete;

  const std::string& head() const {
    return head_;
  }
  const std::string& node(size_t i) const {
    return leaves_.at(i).ns;
  }
  /// The head's address on node i's link.
  const std::string& head_address(size_t i) const {
    return leaves_.at(i).head_address;
  }

  /// Takes node i's link down on the head's side: nothing more crosses,
  /// and neither side hears a close.
  void cut(size_t i) {
    net_.in(head_, {"link", "set", leaves_.at(i).head_if, "down"});
  }

  void mend(size_t i) {
    net_.in(head_, {"link", "set", leaves_.at(i).head_if, "up"});
  }

private:
  struct leaf {
    std::string ns, head_address, node_address, head_if;
  };

  test_network net_;
  std::string head_;
  std::vector<leaf> leaves_;
};

} // namespace webaccel::test
