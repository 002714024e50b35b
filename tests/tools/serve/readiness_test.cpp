// Readiness as serve decides it: a served model's states (load, unload,
// failed load, failure after recovery, recovery), and when the model
// loader tries a failed load again.
#include <doctest/doctest.h>

#include "tools/serve/model_loader.hpp"
#include "tools/serve/served_model.hpp"

using namespace webaccel;

TEST_CASE("a served model is ready after its load, not after a failed one or "
          "an unload") {
  served_model m;
  CHECK(m.state() == served_state::unloaded);
  CHECK_FALSE(m.ready());
  CHECK(m.load_started());
  CHECK(m.state() == served_state::loading);
  CHECK_FALSE(m.loaded());
  m.load_failed("browser_unavailable: no browser can take it");
  CHECK(m.state() == served_state::unavailable);
  CHECK(m.reason() == "browser_unavailable: no browser can take it");
  CHECK(std::string{to_string(m.state())} == "UNAVAILABLE");
  CHECK(m.load_started()); // Tried again.
  CHECK(m.reason().empty());
  m.load_succeeded();
  CHECK(m.ready());
  CHECK(m.loaded());
  CHECK_FALSE(m.load_started()); // Loaded already: nothing to do.
  CHECK(m.ready());
  m.unloaded();
  CHECK(m.state() == served_state::unloaded);
  CHECK_FALSE(m.loaded());
}

TEST_CASE("a model whose request failed after recovery is failing until it "
          "answers again; a bad or late request changes nothing") {
  served_model m;
  m.load_started();
  m.load_succeeded();
  m.request_failed(errc::invalid_request, "no input 'x'");
  m.request_failed(errc::timeout, "no answer in 2000 ms");
  m.request_failed(errc::overloaded, "queue full");
  CHECK(m.ready());
  m.request_failed(errc::browser_crash, "every chromium browser crashed");
  CHECK(m.state() == served_state::failing);
  CHECK_FALSE(m.ready());
  CHECK(m.loaded()); // Requests still go to it: they are how it recovers.
  CHECK(m.reason()
        == "its last request failed after recovery: every chromium browser "
           "crashed");
  CHECK(std::string{to_string(m.state())} == "UNAVAILABLE");
  m.answered();
  CHECK(m.ready());
  CHECK(m.reason().empty());
  // Not loaded: failures of stray requests do not make it failing.
  m.unloaded();
  m.request_failed(errc::browser_crash, "x");
  CHECK(m.state() == served_state::unloaded);
}

TEST_CASE("a failed load is tried again after a doubling backoff, or at once "
          "when the pool's capacity changes") {
  load_retries r{1000, 8000};
  CHECK(r.due("m", 0, 7)); // Never tried.
  CHECK_FALSE(r.known("m"));
  r.failed("m", 0, 7);
  CHECK(r.known("m"));
  CHECK_FALSE(r.due("m", 999, 7));
  CHECK(r.due("m", 1000, 7));
  CHECK(r.due("m", 10, 8)); // A node joined.
  r.failed("m", 1000, 7);
  CHECK(r.wait_ms("m") == 2000);
  CHECK_FALSE(r.due("m", 2999, 7));
  CHECK(r.due("m", 3000, 7));
  for (int i = 0; i < 10; ++i)
    r.failed("m", 0, 7);
  CHECK(r.wait_ms("m") == 8000); // Capped.
  r.forget("m");
  CHECK(r.due("m", 0, 7));
  CHECK(r.wait_ms("m") == 0);
}

TEST_CASE("the pool's capacity changes when a node joins, rejoins or is "
          "lost, or a browser kind is disabled") {
  pool_stats s;
  s.kinds.push_back({});
  s.kinds.back().kind = "chromium";
  auto local = pool_capacity(s);
  node_stats n;
  n.name = "n1";
  n.state = "joined";
  n.epoch = 1;
  s.nodes.push_back(n);
  auto joined = pool_capacity(s);
  CHECK(joined != local);
  s.nodes[0].state = "lost";
  CHECK(pool_capacity(s) == local);
  s.nodes[0].state = "joined";
  s.nodes[0].epoch = 2;
  CHECK(pool_capacity(s) != joined);
  s.nodes.clear();
  s.kinds[0].disabled = "too many restarts";
  CHECK(pool_capacity(s) != local);
}
