// GET /metrics of a real `webaccel serve`: the text passes `promtool check
// metrics` (Debian's prometheus package), and a real Prometheus server
// scrapes it and answers queries over what it scraped.
#include <unistd.h>

#include <future>
#include <nlohmann/json.hpp>

#include <doctest/doctest.h>

#include "tests/support/cli_child.hpp"
#include "tests/support/loopback_port.hpp"
#include "tests/support/process_census.hpp"
#include "tests/support/scratch_dir.hpp"
#include "tests/support/serve_child.hpp"

using namespace webaccel;
using namespace webaccel::test;
using namespace std::chrono_literals;

namespace {

/// The value of a Prometheus instant query's first sample, if it has one.
std::optional<double> query(const std::string& prometheus,
                            const std::string& promql) {
  std::string error;
  auto out = capture_output("/usr/bin/curl",
                            {"-s", "--get", "--data-urlencode",
                             "query=" + promql, prometheus + "/api/v1/query"},
                            30s, error);
  if (!out)
    return std::nullopt;
  auto doc = nlohmann::json::parse(*out, nullptr, false);
  if (doc.is_discarded() || doc.value("status", "") != "success"
      || doc["data"]["result"].empty())
    return std::nullopt;
  return std::stod(doc["data"]["result"][0]["value"][1].get<std::string>());
}

} // namespace

TEST_CASE("serve's /metrics passes promtool, and a real Prometheus scrapes "
          "it") {
  REQUIRE_MESSAGE(access("/usr/bin/prometheus", X_OK) == 0,
                  "Prometheus is missing: run the setup command "
                  "(bash tools/bootstrap.sh test)");
  leaves_nothing_behind census;
  {
    scratch_dir dir{"prom"};
    auto log = dir.file("serve.log");
    std::promise<int> exited;
    auto serve
      = start_cli({"serve", "--port", "0", "--model", "tiny_bert"}, log,
                  dir.path().string(), {},
                  [&](int status, std::string) { exited.set_value(status); });
    auto port = std::to_string(wait_until_ready(log));
    auto base = "http://127.0.0.1:" + port;
    const int requests = 5;
    for (int i = 0; i < requests; ++i)
      CHECK(
        run_capture(
          "/usr/bin/curl",
          {"-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST", "-d",
           R"({"inputs":[{"name":"text","shape":[1],"datatype":"BYTES","data":["counted"]}]})",
           base + "/v2/models/tiny_bert/infer"})
        == "200");
    // An unknown model's request is not counted as the model's failure.
    auto scrape = dir.file("scrape.txt");
    CHECK(run_capture("/usr/bin/curl", {"-s", "-o", scrape, "-w",
                                        "%{content_type}", base + "/metrics"})
          == "text/plain; version=0.0.4; charset=utf-8");
    auto text = read_text(scrape);
    INFO(text);
    CHECK(text.find("webaccel_inference_request_success_total{model="
                    "\"tiny_bert\",version=\"1\"} "
                    + std::to_string(requests) + "\n")
          != std::string::npos);
    CHECK(
      text.find(
        "webaccel_browsers{node=\"local\",kind=\"chromium\",state=\"ready\"} 1\n")
      != std::string::npos);
    // promtool's lint: exit 0 and no complaint.
    auto lint = run_capture("/bin/sh",
                            {"-c", "/usr/bin/promtool check metrics "
                                   "< '"
                                     + scrape + "' 2>&1; echo rc=$?"});
    CHECK(lint == "rc=0\n");
    // A real Prometheus scraping every second.
    auto prom_port = std::to_string(free_loopback_port());
    std::ofstream{dir.file("prometheus.yml")}
      << "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n"
         "scrape_configs:\n  - job_name: webaccel\n    static_configs:\n"
         "      - targets: ['127.0.0.1:"
      << port << "']\n";
    process_options po;
    po.executable = "/usr/bin/prometheus";
    po.args = {"--config.file=" + dir.file("prometheus.yml"),
               "--storage.tsdb.path=" + dir.file("tsdb"),
               "--web.listen-address=127.0.0.1:" + prom_port};
    po.log_file = dir.file("prometheus.log");
    std::string error;
    auto prom = process::start(
      po, [](int, std::string) {}, error);
    REQUIRE_MESSAGE(prom, error);
    auto prometheus = "http://127.0.0.1:" + prom_port;
    std::optional<double> up, success, memory, p99, counted;
    auto until = std::chrono::steady_clock::now() + 90s;
    while (std::chrono::steady_clock::now() < until) {
      up = query(prometheus, "up{job=\"webaccel\"}");
      success = query(prometheus,
                      "webaccel_inference_request_success_total{model="
                      "\"tiny_bert\"}");
      memory = query(prometheus, "sum(webaccel_browser_memory_bytes)");
      // The histograms give a p99 (over all the buckets scraped so far).
      counted = query(prometheus, "webaccel_inference_request_duration_"
                                  "seconds_count{model=\"tiny_bert\"}");
      p99 = query(prometheus,
                  "histogram_quantile(0.99, webaccel_inference_request_"
                  "duration_seconds_bucket{model=\"tiny_bert\"})");
      if (up == 1.0 && success && memory && p99 && *p99 > 0)
        break;
      std::this_thread::sleep_for(500ms);
    }
    INFO(read_text(dir.file("prometheus.log")));
    CHECK(up == 1.0);
    CHECK(success == double(requests));
    REQUIRE(memory);
    CHECK(*memory > 10e6);
    CHECK(counted == double(requests));
    REQUIRE(p99);
    MESSAGE("p99 of tiny_bert's requests from the histogram: " << *p99 << " s");
    CHECK(*p99 > 0);
    CHECK(*p99 <= 10);
    prom->stop();
    CHECK(terminate_and_wait(*serve, exited) == 0);
  }
  census.check();
}
