#include "transport/browser/grid_status.hpp"

#include <fstream>
#include <sstream>

#include <doctest/doctest.h>

using namespace webaccel;

namespace {

/// A `GET /status` a real Selenium Grid 4.48 standalone answered.
std::string captured(const std::string& name) {
  std::ifstream in{std::string{WEBACCEL_TEST_DATA} + "/transport/browser/data/"
                   + name};
  std::stringstream buf;
  buf << in.rdbuf();
  REQUIRE(!buf.str().empty());
  return buf.str();
}

} // namespace

TEST_CASE("a Grid's status gives its slots per browser and its sessions") {
  std::string error;
  auto idle = parse_grid_status(captured("grid_status_idle.json"), error);
  REQUIRE_MESSAGE(idle, error);
  CHECK(idle->ready);
  CHECK(idle->sessions.empty());
  CHECK(idle->slots.at("chrome") >= 1);
  CHECK(idle->free.at("chrome") == idle->slots.at("chrome"));
  auto busy = parse_grid_status(captured("grid_status_one_session.json"),
                                error);
  REQUIRE_MESSAGE(busy, error);
  REQUIRE(busy->sessions.size() == 1);
  auto& s = busy->sessions[0];
  CHECK(s.id == "471977937a48a6c5b2896018fd41bbe7");
  CHECK(s.browser_name == "chrome");
  CHECK(s.node_uri == "http://127.0.0.1:4444");
  CHECK(busy->free.at("chrome") == busy->slots.at("chrome") - 1);
  // The Grid hands back the owner capability the session was made with
  // ({"run": "r1", "pid": 123} in that capture).
  REQUIRE(s.owner);
  CHECK(s.owner->pid == 123);
  CHECK(s.owner->host.empty());
}

TEST_CASE("what is not a Grid status is refused; chromedriver has no nodes") {
  std::string error;
  CHECK_FALSE(parse_grid_status("<html>", error));
  CHECK(error.find("not a Grid status") != std::string::npos);
  CHECK_FALSE(parse_grid_status(R"({"value": {"nodes": 3}})", error));
  CHECK(error.find("'nodes' is not a list") != std::string::npos);
  auto driver = parse_grid_status(
    R"({"value": {"ready": true, "message": "ChromeDriver ready"}})", error);
  REQUIRE(driver);
  CHECK(driver->ready);
  CHECK(driver->slots.empty());
}

TEST_CASE("a Grid status whose fields have other types reads them as "
          "absent, never as a throw") {
  // `ready` an array made nlohmann's value() throw type_error on the
  // launcher's thread: std::terminate for the host program.
  std::string error;
  auto st = parse_grid_status(
    R"({"value": {"ready": [1], "message": {"x": 1}, "nodes": [
         7, {"availability": 1, "uri": [], "slots": {}},
         {"availability": "UP", "uri": "http://n", "slots": [
           "slot", {"stereotype": [], "session": {"sessionId": 5,
             "capabilities": {"webaccel:owner": {"host": 1, "pid": "12",
               "started_ms": 1.5, "launch": []}}}}]}]}})",
    error);
  REQUIRE_MESSAGE(st, error);
  CHECK_FALSE(st->ready);
  CHECK(st->message.empty());
  CHECK(st->slots.at("") == 1);
  REQUIRE(st->sessions.size() == 1);
  CHECK(st->sessions[0].id.empty());
  REQUIRE(st->sessions[0].owner);
  CHECK(st->sessions[0].owner->pid == 0);
  CHECK(st->sessions[0].owner->host.empty());
  CHECK_FALSE(parse_grid_status(
    std::string(100000, '[') + std::string(100000, ']'), error));
  CHECK(error
        == "not a Grid status: nested deeper than 64 levels of arrays "
           "and objects");
}

TEST_CASE("orphans are sessions of dead runtimes on this host only") {
  grid_owner me{"head", 100, 5000, ""};
  auto session = [](std::optional<grid_owner> owner) {
    grid_session s;
    s.id = "s";
    s.owner = std::move(owner);
    return s;
  };
  auto alive = [](int32_t pid) { return pid == 100 || pid == 200; };
  CHECK_FALSE(is_orphan(session(std::nullopt), me, alive)); // not webaccel's
  CHECK_FALSE(is_orphan(session(me), me, alive));           // ours
  CHECK_FALSE(is_orphan(session(grid_owner{"head", 200, 1, ""}), me, alive));
  CHECK(is_orphan(session(grid_owner{"head", 300, 1, ""}), me, alive)); // dead
  // Our pid, an earlier start: a runtime that died before we got its pid.
  CHECK(is_orphan(session(grid_owner{"head", 100, 4000, ""}), me, alive));
  // Another host: its owner may live.
  CHECK_FALSE(is_orphan(session(grid_owner{"node-2", 300, 1, ""}), me, alive));
  CHECK(grid_owner_json(me)
        == R"({"host":"head","pid":100,"started_ms":5000})");
  // One launch's token rides along, so that a late session can be found.
  auto launch = me;
  launch.launch = "0f1e";
  CHECK(grid_owner_json(launch)
        == R"({"host":"head","launch":"0f1e","pid":100,"started_ms":5000})");
  CHECK(std::string{grid_browser_name("chromium", browser_engine::chromium)}
        == "chrome");
  CHECK(std::string{grid_browser_name("edge", browser_engine::chromium)}
        == "MicrosoftEdge");
  CHECK(std::string{grid_browser_name("firefox", browser_engine::firefox)}
        == "firefox");
}

TEST_CASE("sessions granted after their launch gave up are this process's "
          "and carry an abandoned launch token") {
  grid_owner me{"head", 100, 5000, ""};
  auto session = [&](std::string id, grid_owner owner) {
    grid_session s;
    s.id = std::move(id);
    s.owner = std::move(owner);
    return s;
  };
  auto tagged = [&](std::string launch) {
    auto o = me;
    o.launch = std::move(launch);
    return o;
  };
  grid_status status;
  status.sessions
    = {session("late", tagged("t1")), session("live", tagged("t2")),
       session("other-runtime", grid_owner{"head", 100, 4000, "t1"}),
       session("other-host", grid_owner{"node-2", 100, 5000, "t1"})};
  status.sessions.push_back(grid_session{"not-webaccel", "chrome", "", {}});
  CHECK(abandoned_sessions(status, me, {"t1"})
        == std::vector<std::string>{"late"});
  CHECK(abandoned_sessions(status, me, {}).empty());
}

TEST_CASE("a Grid without a node up, or without the browser, refuses at "
          "once; a busy one queues") {
  std::string error;
  auto idle = parse_grid_status(captured("grid_status_idle.json"), error);
  REQUIRE(idle);
  CHECK_FALSE(grid_refusal(*idle, "chrome"));
  // The standalone also offers firefox and MicrosoftEdge slots (whose
  // drivers are missing here); no node offers safari.
  CHECK_FALSE(grid_refusal(*idle, "firefox"));
  auto none = grid_refusal(*idle, "safari");
  REQUIRE(none);
  CHECK(none->find("no node offers safari (the Grid offers ") == 0);
  CHECK(none->find("chrome x") != std::string::npos);
  // Every slot busy: the Grid says it is not ready, and the request waits
  // in its queue.
  auto busy = *idle;
  busy.free["chrome"] = 0;
  busy.ready = false;
  CHECK_FALSE(grid_refusal(busy, "chrome"));
  grid_status empty;
  empty.grid = true;
  empty.message = "Selenium Grid not ready.";
  CHECK(
    grid_refusal(empty, "chrome")
    == std::optional<std::string>{"no node is up (Selenium Grid not ready.)"});
  grid_status driver; // chromedriver: ready, no slots listed.
  driver.ready = true;
  CHECK_FALSE(grid_refusal(driver, "firefox"));
}
