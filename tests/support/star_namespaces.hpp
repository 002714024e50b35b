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

#include "tests/support/veth_namespaces.hpp"
#include "transport/browser/process.hpp"

namespace webaccel::test {

class star_namespaces {
public:
  explicit star_namespaces(size_t nodes) {
    auto id = std::to_string(getpid());
    head_ = "webaccel-star-" + id;
    ip({"netns", "add", head_});
    in(head_, {"link", "set", "lo", "up"});
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
      ip({"netns", "add", l.ns});
      ip({"link", "add", l.head_if, "type", "veth", "peer", "name", node_if});
      created_.links.push_back(l.head_if);
      ip({"link", "set", l.head_if, "netns", head_});
      ip({"link", "set", node_if, "netns", l.ns});
      in(head_, {"addr", "add", l.head_address + "/30", "dev", l.head_if});
      in(l.ns, {"addr", "add", l.node_address + "/30", "dev", node_if});
      in(head_, {"link", "set", l.head_if, "up"});
      in(l.ns, {"link", "set", node_if, "up"});
      in(l.ns, {"link", "set", "lo", "up"});
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
    in(head_, {"link", "set", leaves_.at(i).head_if, "down"});
  }

  void mend(size_t i) {
    in(head_, {"link", "set", leaves_.at(i).head_if, "up"});
  }

private:
  struct leaf {
    std::string ns, head_address, node_address, head_if;
  };

  void ip(const std::vector<std::string>& args) {
    std::string error;
    auto out = capture_output(veth_namespaces::ip_path(), args,
                              std::chrono::seconds{20}, error);
    std::string line;
    for (auto& a : args)
      line += " " + a;
    REQUIRE_MESSAGE(out, "ip" << line << ": " << error
                              << " (network namespaces need root)");
    if (args.size() >= 3 && args[0] == "netns" && args[1] == "add")
      created_.namespaces.push_back(args[2]);
  }

  void in(const std::string& ns, std::vector<std::string> args) {
    args.insert(args.begin(), {"-n", ns});
    ip(args);
  }

  /// Removed even when the constructor fails halfway.
  struct made {
    std::vector<std::string> namespaces, links;

    ~made() {
      std::string error;
      auto ip = veth_namespaces::ip_path();
      for (auto& link : links)
        if (access(("/sys/class/net/" + link).c_str(), F_OK) == 0)
          capture_output(ip, {"link", "del", link}, std::chrono::seconds{20},
                         error);
      for (auto& ns : namespaces)
        capture_output(ip, {"netns", "del", ns}, std::chrono::seconds{20},
                       error);
    }
  };

  made created_;
  std::string head_;
  std::vector<leaf> leaves_;
};

} // namespace webaccel::test
