#include "tools/report/report_time.hpp"

#include <doctest/doctest.h>

#include "tools/cli_args.hpp"

using namespace webaccel;

TEST_CASE("--since takes epoch seconds, UTC times and ages") {
  double now = 1764579600; // 2025-12-01T09:00:00Z
  CHECK(parse_since("1764579600", now) == 1764579600);
  CHECK(parse_since("2025-12-01T09:00:00Z", now) == 1764579600);
  CHECK(parse_since("2025-12-01 09:00", now) == 1764579600);
  CHECK(parse_since("2025-12-01", now) == 1764547200);
  CHECK(parse_since("90s", now) == now - 90);
  CHECK(parse_since("30m", now) == now - 1800);
  CHECK(parse_since("2h", now) == now - 7200);
  CHECK(parse_since("7d", now) == now - 7 * 86400);
  for (auto bad :
       {"", "yesterday", "2h30m", "-5m", "2025-13-01", "2025-12-01T25:00"}) {
    CAPTURE(bad);
    CHECK_THROWS_AS(parse_since(bad, now), usage_error);
  }
}
