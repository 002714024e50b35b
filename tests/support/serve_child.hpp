// Helpers for tests that drive `webaccel serve` (and other daemons) from
// outside: read a child's log, wait for serve to say it is ready, run a
// client program and take its output.
#pragma once

#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <fstream>
#include <future>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <doctest/doctest.h>

#include "transport/browser/process.hpp"

namespace webaccel::test {

inline std::string read_text(const std::string& path) {
  std::ifstream in{path, std::ios::binary};
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

/// Waits until the serve log says `what` and where it listens; its port.
inline int wait_for_serve(const std::string& log, const std::string& what) {
  using namespace std::chrono_literals;
  std::regex listening{R"(listening on https?://127\.0\.0\.1:(\d+))"};
  auto until = std::chrono::steady_clock::now() + 180s;
  while (std::chrono::steady_clock::now() < until) {
    auto text = read_text(log);
    std::smatch m;
    if (text.find(what) != std::string::npos
        && std::regex_search(text, m, listening))
      return std::stoi(m[1]);
    std::this_thread::sleep_for(200ms);
  }
  FAIL("serve never said '" << what << "':\n" << read_text(log));
  return 0;
}

/// Waits until the serve log says it is ready; its port.
inline int wait_until_ready(const std::string& log) {
  return wait_for_serve(log, "webaccel serve: ready");
}

/// Waits until serve listens (its models may still be loading); its port.
inline int wait_until_listening(const std::string& log) {
  return wait_for_serve(log, "webaccel serve: listening");
}

/// Runs `exe args...` to its end; its stdout. Fails the test if it could
/// not run or did not exit 0.
inline std::string run_capture(const std::string& exe,
                               const std::vector<std::string>& args) {
  std::string error;
  auto out = capture_output(exe, args, std::chrono::seconds{120}, error);
  REQUIRE_MESSAGE(out, error);
  return *out;
}

/// Sends SIGTERM to a daemon the test started and waits for its exit;
/// its exit code (-1 if it did not exit normally).
inline int terminate_and_wait(process& daemon, std::promise<int>& exited) {
  REQUIRE(kill(daemon.pid(), SIGTERM) == 0);
  auto status = exited.get_future();
  REQUIRE(status.wait_for(std::chrono::seconds{120})
          == std::future_status::ready);
  auto code = status.get();
  daemon.stop();
  return WIFEXITED(code) ? WEXITSTATUS(code) : -1;
}

} // namespace webaccel::test
