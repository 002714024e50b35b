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
    ip({"netns", "add", head_});
    ip({"netns", "add", remote_});
    ip({"link", "add", head_if, "type", "veth", "peer", "name", remote_if});
    created_.links.push_back(head_if);
    ip({"link", "set", head_if, "netns", head_});
    ip({"link", "set", remote_if, "netns", remote_});
    in(head_, {"addr", "add", head_address_ + "/30", "dev", head_if});
    in(remote_, {"addr", "add", remote_address_ + "/30", "dev", remote_if});
    for (auto& [ns, dev] : {std::pair{head_, head_if}, {remote_, remote_if}}) {
      in(ns, {"link", "set", dev, "up"});
      in(ns, {"link", "set", "lo", "up"});
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
    for (auto p : {"/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"})
      if (access(p, X_OK) == 0)
        return p;
    return "/usr/sbin/ip";
  }

  /// The command line that runs `exe` inside namespace `ns`.
  static std::vector<std::string> exec_in(const std::string& ns,
                                          const std::string& exe) {
    return {ip_path(), "netns", "exec", ns, exe};
  }

private:
  void ip(const std::vector<std::string>& args) {
    std::string error;
    auto out = capture_output(ip_path(), args, std::chrono::seconds{20}, error);
    REQUIRE_MESSAGE(out, "ip " << join(args) << ": " << error
                               << " (network namespaces need root)");
    if (args.size() >= 3 && args[0] == "netns" && args[1] == "add")
      created_.namespaces.push_back(args[2]);
  }

  void in(const std::string& ns, std::vector<std::string> args) {
    args.insert(args.begin(), {"-n", ns});
    ip(args);
  }

  static std::string join(const std::vector<std::string>& args) {
    std::string out;
    for (auto& a : args)
      out += (out.empty() ? "" : " ") + a;
    return out;
  }

  /// What was made so far; removed even when the constructor fails
  /// halfway (a member's destructor runs then, the owner's does not).
  struct made {
    std::vector<std::string> namespaces, links;

    ~made() {
      std::string error;
      // A veth end still in our namespace (a move failed) is not removed
      // with the namespaces.
      for (auto& link : links)
        if (access(("/sys/class/net/" + link).c_str(), F_OK) == 0)
          capture_output(ip_path(), {"link", "del", link},
                         std::chrono::seconds{20}, error);
      for (auto& ns : namespaces)
        capture_output(ip_path(), {"netns", "del", ns},
                       std::chrono::seconds{20}, error);
    }
  };

  made created_;
  std::string head_, remote_, head_address_, remote_address_;
};

} // namespace webaccel::test
