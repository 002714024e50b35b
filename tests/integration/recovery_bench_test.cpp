// A short `bench recovery` run: two Chromium browsers under steady load,
// killed at random, plus a hang and an OOM. Every request is answered
// exactly once, none fails, and the pool ends at full size with no process
// left over. (The numbers themselves are the benchmark's, not checked here.)
#include <doctest/doctest.h>

#include "tests/support/process_census.hpp"
#include "tools/recovery_bench.hpp"

using namespace webaccel;
using namespace webaccel::test;

TEST_CASE("bench recovery, short: no request lost, duplicated or failed "
          "while browsers are killed, hung and out of memory") {
  leaves_nothing_behind census;
  auto cfg = default_config();
  apply_environment(cfg);
  recovery_bench_options o;
  o.duration_s = 26;
  o.kill_every_s = 8; // Kills at 8, 16 and 24 s; a hang at 4 s, an OOM at 20 s.
  o.hangs = 1;
  o.ooms = 1;
  o.clients = 4;
  auto report = run_recovery_bench(cfg, o);
  INFO(report.dump(2));
  auto& requests = report["requests"];
  CHECK(requests["sent"].get<uint64_t>() > 100);
  CHECK(requests["lost"] == 0);
  CHECK(requests["duplicated"] == 0);
  CHECK(requests["failed"] == 0);
  CHECK(requests["simulated"] == 0);
  CHECK(report["faults_injected"]["kill"].get<uint64_t>() >= 2);
  CHECK(report["recovery"]["exhausted"] == 0);
  CHECK(report["recovery"]["failures_by_category"].contains("browser_crash"));
  CHECK(report["pool"]["back_to_full_size"] == true);
  CHECK(report["processes"]["zombies_before_shutdown"] == 0);
  CHECK(report["processes"]["left_of_killed_browsers"] == 0);
  CHECK(report["processes"]["children_after_shutdown"] == 0);
  census.check();
}
