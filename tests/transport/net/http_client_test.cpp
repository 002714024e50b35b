#include "transport/net/http_client.hpp"

#include <chrono>
#include <thread>

#include <doctest/doctest.h>

#include "tests/support/stall_server.hpp"

using namespace webaccel;
using clock_type = std::chrono::steady_clock;

namespace {

double seconds_since(clock_type::time_point t) {
  return std::chrono::duration<double>(clock_type::now() - t).count();
}

} // namespace

TEST_CASE("a remote end that accepts and never answers runs into the "
          "request's timeout, or its cancel") {
  // It would hold each connection for 60 s.
  test::stall_server stalled{std::chrono::seconds{60}};
  std::string error;
  auto peer = parse_http_url(stalled.url(), error);
  REQUIRE(peer);

  SUBCASE("the timeout") {
    auto t0 = clock_type::now();
    auto reply = http_json_request(*peer, "GET", "/status", "",
                                   std::chrono::milliseconds{300}, error);
    CHECK_FALSE(reply);
    CHECK(error == "GET " + stalled.url() + "/status: no answer within 300 ms");
    CHECK(seconds_since(t0) < 30); // Not the stall's 60 s.
  }
  SUBCASE("a cancel from another thread") {
    http_cancel cancel;
    auto t0 = clock_type::now();
    std::thread canceller{[&] {
      std::this_thread::sleep_for(std::chrono::milliseconds{200});
      cancel.cancel();
    }};
    auto reply = http_json_request(*peer, "POST", "/session", "{}",
                                   std::chrono::minutes{5}, error, &cancel);
    canceller.join();
    CHECK_FALSE(reply);
    CHECK(error == "POST " + stalled.url() + "/session: cancelled");
    CHECK(seconds_since(t0) < 30);
    // Cancelled stays cancelled.
    CHECK_FALSE(http_json_request(*peer, "GET", "/status", "",
                                  std::chrono::minutes{5}, error, &cancel));
    CHECK(error == "GET " + stalled.url() + "/status: cancelled");
  }
}

TEST_CASE("a port nobody listens on fails at once, naming the request") {
  http_endpoint peer{"127.0.0.1", "1", ""}; // Nothing listens on port 1.
  std::string error;
  CHECK_FALSE(http_json_request(peer, "GET", "/status", "",
                                std::chrono::seconds{10}, error));
  CHECK(error.rfind("GET http://127.0.0.1:1/status: ", 0) == 0);
  CHECK(error.find("refused") != std::string::npos);
}
