#include "transport/store/metrics_db.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <thread>

#include <doctest/doctest.h>

#include "tests/support/scratch_dir.hpp"
#include "transport/store/metrics_reader.hpp"
#include "transport/store/schema.hpp"

using namespace webaccel;

namespace {

run_info a_run(const std::string& command = "test") {
  run_info r;
  r.started_at = wall_clock_s();
  r.host = "test-host";
  r.pid = 1;
  r.version = "0.1.0";
  r.command = command;
  return r;
}

inference_event answer(double at, double ms, const std::string& platform) {
  inference_event e;
  e.at = at;
  e.model = "tiny_bert";
  e.browser = "chromium";
  e.platform = platform;
  e.total_ms = ms;
  e.compute_ms = ms / 2;
  return e;
}

/// One runtime's writes: a run of 50 batches of 100 inferences.
void write_run(const std::string& path, int id) {
  metrics_db db{{path}};
  db.begin_run(a_run("writer " + std::to_string(id)));
  for (int b = 0; b < 50; ++b) {
    std::vector<metrics_event> batch;
    for (int i = 0; i < 100; ++i)
      batch.push_back(answer(1764579600.0 + b, 1.0, "wasm"));
    db.write(batch, {});
  }
  db.end_run(wall_clock_s());
}

int64_t count(sqlite_db& db, const std::string& table) {
  return db.query_int("SELECT count(*) FROM " + table).value_or(-1);
}

} // namespace

TEST_CASE("a new metrics DB is WAL, current, and marked as ours") {
  test::scratch_dir dir{"db-test"};
  auto path = dir.file("m.db");
  { metrics_db db{{path}}; }
  sqlite_db raw{path, false};
  CHECK(raw.query_int("PRAGMA user_version") == metrics_schema_version);
  CHECK(raw.query_int("PRAGMA application_id") == metrics_application_id);
  auto mode = raw.prepare("PRAGMA journal_mode");
  REQUIRE(mode.step());
  CHECK(mode.column_text(0) == "wal");
}

TEST_CASE("events written in one batch read back as the same figures") {
  test::scratch_dir dir{"db-test"};
  auto path = dir.file("m.db");
  auto t0 = wall_clock_s();
  {
    metrics_db db{{path}};
    db.begin_run(a_run());
    browser_event ready;
    ready.at = t0;
    ready.connection = 3;
    ready.kind = "chromium";
    ready.platforms = "webgpu,wasm";
    load_event load;
    load.at = t0;
    load.model = "tiny_bert";
    load.platform = "wasm";
    load.browser = "chromium";
    load.load_ms = 300;
    std::vector<metrics_event> batch{ready, load};
    for (int i = 0; i < 90; ++i)
      batch.push_back(answer(t0 + i * 0.05, 2.0, "wasm"));
    for (int i = 0; i < 10; ++i)
      batch.push_back(answer(t0 + i * 0.05, 20.0, "webgpu"));
    auto failed = answer(t0, 0, "wasm");
    failed.ok = false;
    failed.category = "timeout";
    batch.push_back(failed);
    recovery_event rec;
    rec.at = t0;
    rec.model = "tiny_bert";
    rec.category = "browser_crash";
    rec.strategy = "restart_browser";
    rec.outcome = "recovered";
    rec.duration_ms = 600;
    batch.push_back(rec);
    batch.push_back(cache_event{"tiny_bert", true});
    db.write(batch, {{"cache_hits", 4}, {"cache_misses", 1}});
    browser_event ended = ready;
    ended.event = browser_event::what::ended;
    ended.at = t0 + 5;
    ended.category = "retired";
    ended.why = "chromium browser is 60000 ms old";
    db.write({ended}, {{"cache_hits", 5}, {"cache_misses", 1}});
    db.end_run(t0 + 5);
  }
  auto m = read_metrics(path, 0);
  CHECK(m.runs == 1);
  CHECK(m.requests.requests == 101);
  CHECK(m.requests.failures == 1);
  CHECK(m.requests.failed_by["timeout"] == 1);
  CHECK(m.requests.avg_ms == doctest::Approx((90 * 2.0 + 10 * 20.0) / 100));
  CHECK(m.requests.p50_ms == doctest::Approx(2.0).epsilon(0.19));
  CHECK(m.requests.max_ms == 20.0);
  CHECK(m.platform_distribution["wasm"] == 90);
  CHECK(m.platform_distribution["webgpu"] == 10);
  CHECK(m.loads.loads == 1);
  CHECK(m.loads.avg_load_ms == 300);
  // Counters are cumulative: the last write holds.
  CHECK(m.cache_hits == 5);
  CHECK(m.cache_misses == 1);
  REQUIRE(m.browsers.size() == 1);
  CHECK(m.browsers[0].launches == 1);
  CHECK(m.browsers[0].ended_by["retired"] == 1);
  REQUIRE(m.recoveries.size() == 1);
  CHECK(m.recoveries[0].recovered == 1);
  CHECK(m.recoveries[0].avg_recovery_ms == 600);
  auto h = read_metrics_history(path, 0);
  REQUIRE(h.browsers.size() == 1);
  CHECK(h.browsers[0].end_reason == "chromium browser is 60000 ms old");
  CHECK(h.browsers[0].platforms == "webgpu,wasm");
}

TEST_CASE("inferences are rolled up per second unless a log is asked for") {
  test::scratch_dir dir{"db-test"};
  auto t0 = 1764579600.0;
  std::vector<metrics_event> batch;
  for (int i = 0; i < 1000; ++i)
    batch.push_back(answer(t0 + i * 0.003, 1.0, "wasm")); // 3 seconds
  {
    metrics_db rollup{{dir.file("rollup.db")}};
    rollup.begin_run(a_run());
    rollup.write(batch, {});
    metrics_db_options each{dir.file("each.db")};
    each.inference_log = true;
    metrics_db log{each};
    log.begin_run(a_run());
    log.write(batch, {});
  }
  sqlite_db rollup{dir.file("rollup.db"), false};
  CHECK(count(rollup, "inferences") == 3);
  CHECK(count(rollup, "inference_log") == 0);
  sqlite_db log{dir.file("each.db"), false};
  CHECK(count(log, "inferences") == 3);
  CHECK(count(log, "inference_log") == 1000);
}

TEST_CASE("a v1 DB is upgraded with every row kept") {
  test::scratch_dir dir{"db-test"};
  auto path = dir.file("v1.db");
  {
    std::ifstream in{std::string{WEBACCEL_TEST_DATA}
                     + "/transport/store/fixtures/metrics_v1.sql"};
    REQUIRE(in);
    std::stringstream sql;
    sql << in.rdbuf();
    sqlite_db raw{path, true};
    raw.exec(sql.str());
    REQUIRE(raw.query_int("PRAGMA user_version") == 1);
  }
  {
    metrics_db db{{path, 0}};
    db.begin_run(a_run("after upgrade"));
  }
  sqlite_db raw{path, false};
  CHECK(raw.query_int("PRAGMA user_version") == metrics_schema_version);
  CHECK(count(raw, "runs") == 2);
  CHECK(count(raw, "browsers") == 1);
  CHECK(count(raw, "model_loads") == 2);
  CHECK(count(raw, "inferences") == 2);
  CHECK(count(raw, "recoveries") == 1);
  CHECK(count(raw, "health_samples") == 0);
  // The columns v2 added have their defaults on the old rows.
  CHECK(raw.query_int("SELECT sum(simulated) FROM inferences") == 0);
  auto m = read_metrics(path, 0);
  CHECK(m.requests.requests == 120);
  CHECK(m.requests.failures == 2);
  CHECK(m.loads.failures == 1);
  CHECK(m.recoveries.at(0).category == "browser_crash");
}

TEST_CASE("a newer DB and another program's DB are refused by name") {
  test::scratch_dir dir{"db-test"};
  {
    sqlite_db raw{dir.file("newer.db"), true};
    raw.exec("PRAGMA application_id = "
             + std::to_string(metrics_application_id));
    raw.exec("PRAGMA user_version = 99");
    raw.exec("CREATE TABLE runs (id INTEGER)");
    sqlite_db other{dir.file("other.db"), true};
    other.exec("CREATE TABLE customers (id INTEGER)");
  }
  try {
    metrics_db db{{dir.file("newer.db")}};
    FAIL("a newer DB was opened");
  } catch (const store_error& e) {
    CHECK(e.refused());
    CHECK(std::string{e.what()}.find("schema version 99, newer than")
          != std::string::npos);
  }
  try {
    metrics_db db{{dir.file("other.db")}};
    FAIL("another program's DB was opened");
  } catch (const store_error& e) {
    CHECK(e.refused());
    CHECK(std::string{e.what()}.find("not a webaccel metrics DB")
          != std::string::npos);
  }
  // Untouched.
  sqlite_db other{dir.file("other.db"), false};
  CHECK(other.query_int("PRAGMA user_version") == 0);
}

TEST_CASE("an unwritable path is an I/O error, not a refusal") {
  test::scratch_dir dir{"db-test"};
  auto locked = dir.path() / "locked";
  std::filesystem::create_directory(locked);
  chmod(locked.c_str(), 0500);
  if (access(locked.c_str(), W_OK) == 0) {
    // Root writes anywhere: a path under a regular file cannot be created
    // by anyone.
    std::ofstream{dir.file("plain")} << "x";
    locked = dir.path() / "plain";
  }
  try {
    metrics_db db{{(locked / "m.db").string()}};
    FAIL("opened a DB where nothing can be written");
  } catch (const store_error& e) {
    CHECK_FALSE(e.refused());
    CHECK(std::string{e.what()}.find((locked / "m.db").string())
          != std::string::npos);
  }
  chmod((dir.path() / "locked").c_str(), 0700);
}

TEST_CASE("two writers on one file both get their rows in") {
  test::scratch_dir dir{"db-test"};
  auto path = dir.file("shared.db");
  std::string errors[2];
  auto writer = [&](int id) {
    try {
      write_run(path, id);
    } catch (const store_error& e) {
      errors[id - 1] = e.what();
    }
  };
  std::thread a{writer, 1};
  std::thread b{writer, 2};
  a.join();
  b.join();
  CHECK(errors[0] == "");
  CHECK(errors[1] == "");
  auto m = read_metrics(path, 0);
  CHECK(m.runs == 2);
  CHECK(m.requests.requests == 2 * 50 * 100);
}

TEST_CASE("retention deletes what is older than its days") {
  test::scratch_dir dir{"db-test"};
  auto path = dir.file("m.db");
  auto now = wall_clock_s();
  metrics_db_options opts{path};
  opts.retention_days = 7;
  metrics_db db{opts};
  db.begin_run(a_run());
  db.write({answer(now - 10 * 86400, 1.0, "wasm"), answer(now, 1.0, "wasm")},
           {});
  CHECK(db.prune(now) == 1);
  CHECK(read_metrics(path, 0).requests.requests == 1);
}
