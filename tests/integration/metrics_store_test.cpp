// The metrics store with real browsers and real processes: the history a
// run leaves in its SQLite file, a runtime killed with SIGKILL mid-load, an
// unwritable DB, two runtimes on one file, and the three report formats
// (the HTML one rendered by headless Chromium).
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <future>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "actors/runtime.hpp"
#include "tests/support/cli_child.hpp"
#include "tests/support/process_census.hpp"
#include "tests/support/runtime_helpers.hpp"
#include "tests/support/scratch_dir.hpp"
#include "tools/steady_load.hpp"
#include "transport/browser/process.hpp"
#include "transport/store/metrics_reader.hpp"
#include "transport/store/sqlite_db.hpp"

using namespace webaccel;
using namespace webaccel::test;
using namespace std::chrono_literals;

namespace {

runtime_config chromium_config(const std::string& db) {
  auto cfg = default_config();
  cfg.browsers = {{"chromium", browser_config{}}};
  cfg.browsers_explicit = true;
  cfg.pool.idle_timeout_ms = 0;
  cfg.pool.restart.backoff_base_ms = 200;
  cfg.recovery.fault_injection = true;
  cfg.recovery.backoff_base_ms = 200;
  cfg.metrics.db = db;
  cfg.metrics.flush_ms = 200;
  apply_environment(cfg);
  return cfg;
}

std::string read_file(const std::string& path) {
  std::ifstream in{path, std::ios::binary};
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

std::string integrity(const std::string& db) {
  sqlite_db raw{db, false};
  auto q = raw.prepare("PRAGMA integrity_check");
  return q.step() ? q.column_text(0) : "no answer";
}

int64_t count(const std::string& db, const std::string& sql) {
  sqlite_db raw{db, false};
  return raw.query_int(sql).value_or(-1);
}

/// Waits up to `limit` for `done()`, checking twice a second.
template <class Predicate>
bool wait_for(Predicate done, std::chrono::seconds limit) {
  auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    if (done())
      return true;
    std::this_thread::sleep_for(500ms);
  }
  return done();
}

/// Kills `model`'s browser while one of its requests hangs in the page, so
/// that the kill fails a request and a recovery case runs (a kill between
/// requests may be noticed before the next one, and need none). Returns
/// once that request is answered: one request of the model's count.
void kill_under_a_request(runtime& rt, model_handle& model) {
  auto pid = ready_browser_pid(rt);
  REQUIRE(pid != 0);
  REQUIRE(rt.inject_fault(pid, "hang", 1));
  std::promise<bool> answered;
  model.infer_async(bert_sentence(), [&](infer_result* r, const failure*) {
    answered.set_value(r != nullptr);
  });
  std::this_thread::sleep_for(300ms); // In the page, hanging.
  REQUIRE(rt.inject_fault(pid, "kill"));
  auto done = answered.get_future();
  REQUIRE(done.wait_for(60s) == std::future_status::ready);
  CHECK(done.get());
}

/// Reaps what a killed runtime leaves to us: this process is a subreaper,
/// so its browsers' processes become our children as their parents die
/// (the main process of its PDEATHSIG, the rest as their parent goes),
/// some a while after the kill. Every child not in `before` is one of
/// them: each is reaped once it exits, or killed by the pid we found if it
/// lingers; done after 3 s without a new one.
void reap_adopted(const std::set<pid_t>& before) {
  using clock = std::chrono::steady_clock;
  auto give_up = clock::now() + 30s;
  auto last_seen = clock::now();
  while (clock::now() - last_seen < 3s) {
    for (auto pid : children_of_this_process()) {
      if (before.count(pid) != 0)
        continue;
      last_seen = clock::now();
      if (clock::now() > give_up)
        kill(pid, SIGKILL);
      waitpid(pid, nullptr, WNOHANG);
    }
    std::this_thread::sleep_for(100ms);
  }
}

} // namespace

TEST_CASE("a real run leaves what ran, where, how fast and what recovered "
          "in the DB") {
  leaves_nothing_behind census;
  scratch_dir dir{"mrun"};
  auto db = dir.file("history.db");
  metrics_summary live;
  {
    runtime rt{chromium_config(db)};
    auto model = rt.get_model(model_family::text_embedding, "tiny_bert",
                              wasm_only());
    rt.get_model(model_family::text_embedding, "tiny_bert", wasm_only());
    for (int i = 0; i < 40; ++i)
      model.infer(bert_sentence());
    kill_under_a_request(rt, model);
    for (int i = 0; i < 39; ++i)
      model.infer(bert_sentence());
    live = rt.get_metrics();
  }
  CHECK(live.store.enabled);
  CHECK_FALSE(live.store.degraded);
  CHECK(live.requests.requests == 80);
  CHECK(live.requests.failures == 0);
  CHECK(live.cache_hits == 1);
  CHECK(live.cache_misses == 1);
  CHECK(integrity(db) == "ok");
  auto h = read_metrics_history(db, 0);
  auto& s = h.summary;
  CHECK(s.runs == 1);
  CHECK(s.requests.requests == 80);
  CHECK(s.requests.p50_ms > 0);
  CHECK(s.platform_distribution["wasm"] == 80);
  CHECK(s.models["tiny_bert"].requests == 80);
  CHECK(s.loads.loads >= 2); // Loaded again after the kill.
  CHECK(s.loads.avg_load_ms > 0);
  CHECK(s.cache_hits == 1);
  CHECK(s.cache_misses == 1);
  REQUIRE(s.browsers.size() == 1);
  CHECK(s.browsers[0].launches >= 2);
  CHECK(s.browsers[0].ended_by["browser_crash"] >= 1);
  REQUIRE_FALSE(s.recoveries.empty());
  CHECK(s.recoveries[0].category == "browser_crash");
  CHECK(s.recoveries[0].recovered >= 1);
  CHECK(s.recoveries[0].avg_recovery_ms > 0);
  // Every browser's row says how it ended.
  for (auto& b : h.browsers) {
    CHECK(b.ended_at > 0);
    CHECK_FALSE(b.end_category.empty());
  }
  CHECK(count(db, "SELECT count(*) FROM runs WHERE ended_at IS NOT NULL") == 1);
}

TEST_CASE("kill -9 mid-load leaves an intact DB with every committed row") {
  leaves_nothing_behind census;
  auto children_before = children_of_this_process();
  scratch_dir dir{"mkill"};
  auto db = dir.file("killed.db");
  auto log = dir.file("soak.log");
  auto child
    = start_cli({"bench", "soak", "--minutes", "2", "--browsers", "1",
                 "--clients", "2", "--sample-every-s", "5", "--db", db},
                log, dir.path().string(), {"WEBACCEL_LOG_LEVEL=debug"});
  // The store logs each commit with this run's running total.
  std::regex committed{
    R"(metrics store committed \d+ events; (\d+) inferences)"};
  auto last_total = [&] {
    auto text = read_file(log);
    uint64_t total = 0;
    size_t commits = 0;
    for (std::sregex_iterator i{text.begin(), text.end(), committed}, end;
         i != end; ++i) {
      total = std::stoull((*i)[1]);
      commits++;
    }
    return std::make_pair(commits, total);
  };
  REQUIRE_MESSAGE(
    wait_for([&] { return last_total().second > 0 && last_total().first >= 3; },
             120s),
    read_file(log));
  REQUIRE(kill(child->pid(), SIGKILL) == 0);
  child->stop(); // Reaps it; its browsers die with it (PDEATHSIG)...
  reap_adopted(children_before); // ...and come to us to be reaped.
  auto seen = last_total().second;
  MESSAGE("killed after " << seen << " inferences were committed");
  CHECK(integrity(db) == "ok");
  auto stored = count(db, "SELECT sum(requests) FROM inferences");
  CHECK(stored >= int64_t(seen));
  // Killed: the run never stamped its end, and a report still reads it.
  CHECK(count(db, "SELECT count(*) FROM runs WHERE ended_at IS NULL") == 1);
  CHECK(read_metrics(db, 0).requests.requests == uint64_t(stored));
}

TEST_CASE("an unwritable DB leaves inference working and the store "
          "degraded") {
  leaves_nothing_behind census;
  scratch_dir dir{"mdeny"};
  std::ofstream{dir.file("a-file")} << "not a directory";
  auto db = dir.file("a-file") + "/history.db";
  runtime rt{chromium_config(db)};
  auto model = rt.get_model(model_family::text_embedding, "tiny_bert",
                            wasm_only());
  for (int i = 0; i < 10; ++i)
    CHECK(model.infer(bert_sentence()).outputs.size() > 0);
  auto m = rt.get_metrics();
  CHECK(m.store.enabled);
  CHECK(m.store.degraded);
  CHECK(m.store.reason.find(db) != std::string::npos);
  CHECK(m.requests.requests == 10); // The live figures are whole.
  CHECK(m.store.dropped > 0);       // What the DB did not get is counted.
  rt.shutdown();
}

TEST_CASE("a full disk leaves inference working and the store degraded") {
  if (geteuid() != 0 || std::system("unshare --mount true 2>/dev/null") != 0) {
    MESSAGE("skipped: needs root for a tmpfs in a private mount namespace");
    return;
  }
  leaves_nothing_behind census;
  scratch_dir dir{"mfull"};
  auto full = dir.file("full");
  std::filesystem::create_directory(full);
  // A 192 KiB tmpfs, seen only by the child's private mount namespace:
  // the schema fits, and the WAL fills it within seconds of load.
  auto script = "mount -t tmpfs -o size=192k tmpfs '" + full + "' && exec '"
                + cli() + "' bench soak --minutes 1 --browsers 1 --clients 2 "
                + "--sample-every-s 20 --db '" + full + "/history.db' --out '"
                + dir.file("report.json") + "'";
  process_options opts;
  opts.executable = "/usr/bin/unshare";
  opts.args = {"--mount", "--propagation", "private", "/bin/sh", "-c", script};
  opts.log_file = dir.file("soak.log");
  opts.env = {"TMPDIR=" + dir.path().string()};
  std::string error;
  std::promise<int> exited;
  auto child = process::start(
    opts, [&](int status, std::string) { exited.set_value(status); }, error);
  REQUIRE_MESSAGE(child, error);
  auto status = exited.get_future();
  REQUIRE(status.wait_for(180s) == std::future_status::ready);
  child->stop();
  auto log = read_file(dir.file("soak.log"));
  INFO(log.substr(0, 4000));
  CHECK(WIFEXITED(status.get()));
  auto report = nlohmann::json::parse(read_file(dir.file("report.json")));
  CHECK(report["requests"]["failed"] == 0);
  CHECK(report["requests"]["lost"] == 0);
  CHECK(report["requests"]["answered"].get<uint64_t>() > 1000);
  CHECK(log.find("metrics store degraded") != std::string::npos);
  CHECK(log.find("full") != std::string::npos);
}

TEST_CASE("two runtimes on one DB file both record their runs") {
  leaves_nothing_behind census;
  scratch_dir dir{"mshare"};
  auto db = dir.file("shared.db");
  auto a
    = start_cli({"run", "--model", "tiny_bert", "--text", "one", "--db", db},
                dir.file("a.log"), dir.path().string());
  auto b
    = start_cli({"run", "--model", "tiny_bert", "--text", "two", "--db", db},
                dir.file("b.log"), dir.path().string());
  CHECK(wait_for([&] { return !a->running() && !b->running(); }, 120s));
  a->stop();
  b->stop();
  INFO(read_file(dir.file("a.log")));
  INFO(read_file(dir.file("b.log")));
  CHECK(count(db, "SELECT count(*) FROM runs WHERE ended_at IS NOT NULL") == 2);
  CHECK(count(db, "SELECT sum(requests) FROM inferences") == 2);
  CHECK(integrity(db) == "ok");
}

TEST_CASE("a metrics store the root starts again goes on with the same run "
          "and the same live figures") {
  scratch_dir dir{"mrestart"};
  auto db = dir.file("history.db");
  metrics_summary live;
  uint64_t restarts = 0;
  {
    runtime rt{chromium_config(db)};
    auto model = rt.get_model(model_family::text_embedding, "tiny_bert",
                              wasm_only());
    for (int i = 0; i < 10; ++i)
      model.infer(bert_sentence());
    REQUIRE(rt.get_metrics().requests.requests == 10);
    REQUIRE(rt.inject_fault(0, "kill-metrics"));
    for (int i = 0; i < 100 && rt.stats().metrics_restarts == 0; ++i)
      std::this_thread::sleep_for(50ms);
    restarts = rt.stats().metrics_restarts;
    for (int i = 0; i < 10; ++i)
      model.infer(bert_sentence());
    live = rt.get_metrics();
  }
  CHECK(restarts == 1);
  CHECK(live.requests.requests == 20);
  CHECK(live.cache_misses == 1);
  CHECK_FALSE(live.store.degraded);
  auto h = read_metrics_history(db, 0);
  CHECK(h.summary.runs == 1);
  CHECK(h.summary.requests.requests == 20);
  CHECK(count(db, "SELECT count(*) FROM runs WHERE ended_at IS NOT NULL") == 1);
}

TEST_CASE("the report in markdown, json and html; the html charts are "
          "drawn") {
  leaves_nothing_behind census;
  auto children_before = children_of_this_process();
  scratch_dir dir{"mrep"};
  auto db = dir.file("history.db");
  {
    runtime rt{chromium_config(db)};
    auto model = rt.get_model(model_family::text_embedding, "tiny_bert",
                              wasm_only());
    for (int i = 0; i < 20; ++i)
      model.infer(bert_sentence());
    kill_under_a_request(rt, model);
    for (int i = 0; i < 19; ++i)
      model.infer(bert_sentence());
  }
  std::string error;
  auto md = capture_output(cli(), {"report", "--db", db}, 30s, error);
  REQUIRE_MESSAGE(md, error);
  CHECK(md->find("| tiny_bert | chromium | wasm | 40 | 0 |")
        != std::string::npos);
  CHECK(md->find("| browser_crash |") != std::string::npos);
  auto js = capture_output(
    cli(), {"report", "--db", db, "--format", "json", "--since", "1h"}, 30s,
    error);
  REQUIRE_MESSAGE(js, error);
  auto j = nlohmann::json::parse(*js);
  CHECK(j["summary"]["requests"]["requests"] == 40);
  CHECK(j["browser_timeline"].size() >= 2);
  CHECK(j["recovery_events"].size() >= 1);
  // Nothing since the future.
  auto none = capture_output(
    cli(), {"report", "--db", db, "--format", "json", "--since", "2100-01-01"},
    30s, error);
  REQUIRE_MESSAGE(none, error);
  CHECK(nlohmann::json::parse(*none)["summary"]["requests"]["requests"] == 0);
  auto html = dir.file("report.html");
  REQUIRE(capture_output(
    cli(), {"report", "--db", db, "--format", "html", "--out", html}, 30s,
    error));
  auto page = read_file(html);
  CHECK(page.find("<svg") != std::string::npos);
  CHECK(page.find("http://") == page.find("http://www.w3.org/2000/svg"));
  CHECK(page.find("<script") == std::string::npos);
  // Headless Chromium draws it; the charts' colours must be on screen.
  auto shot = dir.file("report.png");
  auto chromium = std::getenv("WEBACCEL_CHROMIUM");
  REQUIRE(chromium != nullptr);
  auto out = capture_output(
    "/usr/bin/env",
    {"TMPDIR=" + dir.path().string(), chromium, "--headless", "--no-sandbox",
     "--disable-gpu", "--user-data-dir=" + dir.file("profile"),
     "--window-size=820,2400", "--screenshot=" + shot, "file://" + html},
    60s, error);
  REQUIRE_MESSAGE(out, error);
  // Its crashpad handlers double-fork out of its process group, reach this
  // subreaper, and exit a while after it.
  reap_adopted(children_before);
  auto counts = capture_output(
    "/usr/bin/python3",
    {std::string{WEBACCEL_TEST_DATA} + "/support/png_colours.py", shot,
     "1f77b4", "d62728"},
    60s, error);
  REQUIRE_MESSAGE(counts, error);
  MESSAGE(*counts);
  std::istringstream lines{*counts};
  std::string colour;
  uint64_t n = 0;
  while (lines >> colour >> n) {
    CAPTURE(colour);
    // The throughput line and the shut-down browser's bar (blue); the
    // recovery bars and the killed browser's bar (red).
    CHECK(n > 200);
  }
}
