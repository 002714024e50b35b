#include "transport/store/latency_histogram.hpp"

#include <doctest/doctest.h>

using namespace webaccel;

TEST_CASE("percentiles of a latency histogram are bucket bounds within "
          "19 %") {
  latency_histogram h;
  CHECK(h.percentile(0.5) == 0);
  for (int i = 1; i <= 100; ++i)
    h.add(double(i)); // 1 .. 100 ms
  CHECK(h.count() == 100);
  auto p50 = h.percentile(0.50);
  CHECK(p50 >= 50.0);
  CHECK(p50 <= 50.0 * 1.19);
  auto p99 = h.percentile(0.99);
  CHECK(p99 >= 99.0);
  CHECK(p99 <= 99.0 * 1.19);
  // Values outside the range land in the first and last buckets.
  latency_histogram edges;
  edges.add(0.0);
  edges.add(1e9);
  CHECK(edges.percentile(0.01) == latency_histogram::upper_bound_ms(0));
  CHECK(
    edges.percentile(1.0)
    == latency_histogram::upper_bound_ms(latency_histogram::bucket_count - 1));
}

TEST_CASE("histograms merge exactly and survive their text form") {
  latency_histogram a;
  latency_histogram b;
  a.add(2.0, 3);
  b.add(40.0, 1);
  a.merge(b);
  CHECK(a.count() == 4);
  latency_histogram back;
  REQUIRE(back.from_text(a.to_text()));
  CHECK(back.to_text() == a.to_text());
  CHECK(back.percentile(0.75) == a.percentile(0.75));
  CHECK(back.percentile(1.0) == a.percentile(1.0));
}

TEST_CASE("text that is not a histogram is rejected, leaving it empty") {
  latency_histogram h;
  for (auto bad : {"12", "a:1", "12:", ":3", "999:1", "1:2 x",
                   "99999999999999999999999:1"}) {
    CAPTURE(bad);
    CHECK_FALSE(h.from_text(bad));
    CHECK(h.count() == 0);
  }
  CHECK(h.from_text(""));
  CHECK(h.from_text("3:1 3:2"));
  CHECK(h.count() == 3);
}
