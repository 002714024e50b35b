#include "config/logging.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <sstream>
#include <string>

#include <doctest/doctest.h>
#include <spdlog/sinks/ostream_sink.h>

#include "config/log_rate_limit.hpp"

namespace webaccel {

namespace {

using namespace std::chrono_literals;

/// Everything a child wrote to one of its descriptors.
std::string drain(int fd) {
  std::string out;
  char buf[512];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0)
    out.append(buf, static_cast<size_t>(n));
  return out;
}

} // namespace

TEST_CASE("the default logger writes to stderr and never to stdout") {
  int out[2], err[2];
  REQUIRE(pipe(out) == 0);
  REQUIRE(pipe(err) == 0);
  auto pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    dup2(out[1], STDOUT_FILENO);
    dup2(err[1], STDERR_FILENO);
    set_log_level("info");
    logger()->warn("a warning for the host's log");
    logger()->flush();
    _exit(0);
  }
  close(out[1]);
  close(err[1]);
  auto on_stdout = drain(out[0]);
  auto on_stderr = drain(err[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  close(out[0]);
  close(err[0]);
  CHECK(WIFEXITED(status));
  CHECK(on_stdout.empty());
  CHECK(on_stderr.find("a warning for the host's log") != std::string::npos);
  CHECK(on_stderr.find("webaccel") != std::string::npos);
}

TEST_CASE("a host replaces the logger, and silences it with nullptr") {
  auto before = logger();
  std::ostringstream captured;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(captured);
  auto mine = std::make_shared<spdlog::logger>("host", sink);
  set_logger(mine);
  logger()->warn("to the host's sink");
  CHECK(captured.str().find("to the host's sink") != std::string::npos);
  set_logger(nullptr);
  logger()->error("to nowhere");
  CHECK(captured.str().find("to nowhere") == std::string::npos);
  set_logger(before);
}

TEST_CASE("set_log_level accepts spdlog's names and refuses others") {
  auto before = logger()->level();
  CHECK(set_log_level("debug"));
  CHECK(logger()->level() == spdlog::level::debug);
  CHECK(set_log_level("off"));
  CHECK(logger()->level() == spdlog::level::off);
  CHECK_FALSE(set_log_level("loud"));
  CHECK(logger()->level() == spdlog::level::off);
  logger()->set_level(before);
}

TEST_CASE("a rate limit lets a burst through, then counts what it held back") {
  log_rate_limit limit{3, 10s};
  log_rate_limit::clock_type::time_point t{};
  uint64_t suppressed = 99;
  for (int i = 0; i < 3; ++i) {
    CHECK(limit.allow(t + 1s, suppressed));
    CHECK(suppressed == 0);
  }
  CHECK_FALSE(limit.allow(t + 2s, suppressed));
  CHECK_FALSE(limit.allow(t + 9s, suppressed));
  CHECK(limit.held_back() == 2);
  // A new window: the first line says how many were held back.
  CHECK(limit.allow(t + 12s, suppressed));
  CHECK(suppressed == 2);
  CHECK(limit.held_back() == 0);
  CHECK(suppressed_note(suppressed) == " (2 similar lines suppressed)");
  CHECK(suppressed_note(1) == " (1 similar line suppressed)");
  CHECK(suppressed_note(0).empty());
}

} // namespace webaccel
