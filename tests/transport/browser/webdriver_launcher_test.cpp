// The WebDriver launcher against a scripted remote end (our own HTTP server
// answering as chromedriver or a Grid would): the session is kept alive
// with a cheap command, a session the remote end ended is a browser that
// exited, and a malformed answer is a refused launch, never the end of the
// host program.
#include "transport/browser/webdriver_launcher.hpp"

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>

#include <doctest/doctest.h>

#include "config/thread_barrier.hpp"
#include "tests/support/log_capture.hpp"
#include "transport/net/api_server.hpp"

using namespace webaccel;
using namespace std::chrono_literals;

namespace {

/// A WebDriver remote end with one session, "s1", whose answers a test
/// can change.
class scripted_remote_end {
public:
  scripted_remote_end() {
    api_server_options o;
    o.port = 0;
    server_ = api_server::start(o, [this](api_request req, api_reply reply) {
      answer(req, reply);
    });
  }

  std::string url() const {
    return "http://127.0.0.1:" + std::to_string(server_->port());
  }

  /// GET /status answers this body.
  void set_status(std::string body) {
    std::lock_guard<std::mutex> guard{mtx_};
    status_ = std::move(body);
  }

  /// From now on the session is unknown (a Grid that ended it).
  void end_session() {
    gone_ = true;
  }

  int keepalives() const {
    return keepalives_;
  }

  int deletes() const {
    return deletes_;
  }

private:
  void answer(const api_request& req, const api_reply& reply) {
    auto json = [&](unsigned status, std::string body) {
      reply({status, "application/json", std::move(body), {}});
    };
    if (req.method == "GET" && req.path == "/status") {
      std::lock_guard<std::mutex> guard{mtx_};
      json(200, status_);
    } else if (req.method == "POST" && req.path == "/session") {
      json(200, R"({"value":{"sessionId":"s1","capabilities":{}}})");
    } else if (req.path == "/session/s1/url" && req.method == "POST") {
      json(200, R"({"value":null})");
    } else if (req.path == "/session/s1/url" && req.method == "GET") {
      if (gone_) {
        json(404, R"({"value":{"error":"invalid session id","message":)"
                  R"("session s1 timed out"}})");
        return;
      }
      ++keepalives_;
      json(200, R"({"value":"http://127.0.0.1/page"})");
    } else if (req.method == "DELETE" && req.path == "/session/s1") {
      ++deletes_;
      json(200, R"({"value":null})");
    } else {
      json(404, R"({"value":{"error":"unknown command","message":"no"}})");
    }
  }

  std::mutex mtx_;
  std::string status_ = R"({"value":{"ready":true,"message":"ready"}})";
  std::atomic<bool> gone_{false};
  std::atomic<int> keepalives_{0};
  std::atomic<int> deletes_{0};
  std::unique_ptr<api_server> server_;
};

/// The exit a browser reports.
struct exit_seen {
  std::mutex mtx;
  int status = 0;
  std::string what;
  std::atomic<bool> done{false};

  browser_instance::exit_handler handler() {
    return [this](int s, std::string w) {
      std::lock_guard<std::mutex> guard{mtx};
      status = s;
      what = std::move(w);
      done = true;
    };
  }
};

template <class Predicate>
bool eventually(Predicate ok, std::chrono::milliseconds within = 10s) {
  auto until = std::chrono::steady_clock::now() + within;
  while (!ok() && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(10ms);
  return ok();
}

/// A Chromium through `remote`, its session kept alive every
/// `keepalive_ms`.
std::unique_ptr<browser_instance>
launch(const scripted_remote_end& remote, uint32_t keepalive_ms,
       browser_instance::exit_handler on_exit) {
  launcher_config settings;
  settings.type = "webdriver";
  settings.webdriver_url = remote.url();
  settings.session_timeout_ms = 10000;
  settings.keepalive_ms = keepalive_ms;
  std::string error;
  auto out = launch_webdriver_browser(settings, browser_engine::chromium, "",
                                      "http://127.0.0.1:1/page", {},
                                      std::move(on_exit), error);
  REQUIRE_MESSAGE(out, error);
  return out;
}

} // namespace

TEST_CASE("a WebDriver session gets a cheap command every keepalive "
          "interval while the browser lives, and none after stop") {
  test::log_capture log;
  scripted_remote_end remote;
  exit_seen exit;
  auto browser = launch(remote, 100, exit.handler());
  CHECK(eventually([&] { return remote.keepalives() >= 3; }));
  browser->stop();
  CHECK(remote.deletes() == 1);
  auto after_stop = remote.keepalives();
  std::this_thread::sleep_for(300ms);
  CHECK(remote.keepalives() == after_stop);
  CHECK_FALSE(exit.done);
}

TEST_CASE("a session the remote end ended is reported as the browser's "
          "exit") {
  test::log_capture log;
  scripted_remote_end remote;
  exit_seen exit;
  auto browser = launch(remote, 100, exit.handler());
  REQUIRE(eventually([&] { return remote.keepalives() >= 1; }));
  remote.end_session();
  REQUIRE(eventually([&] { return exit.done.load(); }));
  {
    std::lock_guard<std::mutex> guard{exit.mtx};
    CHECK(exit.status == -1);
    CHECK(exit.what.find("the WebDriver session s1 ended at the remote end")
          == 0);
  }
  browser->stop();
}

TEST_CASE("keepalive 0 sends no command after the page is open") {
  test::log_capture log;
  scripted_remote_end remote;
  exit_seen exit;
  auto browser = launch(remote, 0, exit.handler());
  std::this_thread::sleep_for(300ms);
  CHECK(remote.keepalives() == 0);
  browser->stop();
}

TEST_CASE("a Grid status of the wrong types is a refused launch, not the "
          "end of the host program") {
  test::log_capture log;
  scripted_remote_end remote;
  // `ready` an array, `message` an object, a node's fields of other types:
  // nlohmann's value() threw type_error here, on the launcher's thread.
  remote.set_status(R"({"value":{"ready":[1],"message":{"x":1},"nodes":[)"
                    R"({"availability":7,"uri":[],"slots":{}}]}})");
  exit_seen exit;
  auto browser = launch(remote, 100, exit.handler());
  REQUIRE(eventually([&] { return exit.done.load(); }));
  std::lock_guard<std::mutex> guard{exit.mtx};
  CHECK(exit.status == browser_instance::refused);
  CHECK(exit.what.find("cannot take chrome: no node is up")
        != std::string::npos);
}

TEST_CASE("an exception on the launcher's thread is caught by the barrier, "
          "counted, and ends nothing else") {
  test::log_capture log;
  scripted_remote_end remote;
  remote.set_status(R"({"value":{"ready":false,"nodes":[]}})");
  auto before = caught_exceptions(thread_kind::launcher);
  std::atomic<bool> called{false};
  auto browser = launch(remote, 100, [&](int, std::string) {
    called = true;
    throw std::runtime_error("the connection that launched it is gone");
  });
  REQUIRE(eventually(
    [&] { return caught_exceptions(thread_kind::launcher) == before + 1; }));
  CHECK(called);
  browser->stop();
  CHECK(log.text().find("launcher thread: a WebDriver browser's session "
                        "failed with an exception: the connection that "
                        "launched it is gone")
        != std::string::npos);
}
