#include "tools/grid_bench.hpp"

#include <chrono>
#include <stdexcept>

#include "actors/runtime.hpp"
#include "config/browser_kinds.hpp"
#include "tools/sequential_latency.hpp"
#include "tools/stats.hpp"
#include "transport/browser/webdriver_launcher.hpp"
#include "transport/net/http_client.hpp"

namespace webaccel {

namespace {

using clock_type = std::chrono::steady_clock;
using json = nlohmann::json;

/// Creates and deletes `n` sessions, one at a time.
json session_creation(const http_endpoint& grid, const std::string& body,
                      size_t n, const grid_bench_options& opts) {
  std::vector<double> create_ms, delete_ms;
  for (size_t i = 0; i < n; ++i) {
    std::string error;
    auto t0 = clock_type::now();
    auto reply = http_json_request(grid, "POST", "/session", body,
                                   std::chrono::minutes{5}, error);
    auto id = reply ? webdriver_session_id(reply->status, reply->body, error)
                    : std::nullopt;
    if (!id)
      throw std::runtime_error("POST /session: " + error);
    create_ms.push_back(ms_since(t0));
    auto t1 = clock_type::now();
    reply = http_json_request(grid, "DELETE", "/session/" + *id, "",
                              std::chrono::minutes{1}, error);
    if (!reply || reply->status != 200)
      throw std::runtime_error("DELETE /session/" + *id + ": "
                               + (reply ? reply->body.substr(0, 300) : error));
    delete_ms.push_back(ms_since(t1));
    if (opts.progress)
      opts.progress("session " + std::to_string(i + 1) + "/" + std::to_string(n)
                    + ": " + std::to_string(int(create_ms.back())) + " ms");
  }
  return {{"create", latency_summary(create_ms)},
          {"delete", latency_summary(delete_ms)}};
}

/// tiny BERT one request at a time on a pool of one Chromium.
json inference_latency(runtime_config cfg, size_t requests,
                       const std::string& label,
                       const grid_bench_options& opts) {
  runtime rt{cfg};
  auto model = rt.get_model(model_family::text_embedding, "tiny_bert");
  infer_request input;
  input.raw.push_back(raw_input::text("a sentence to embed"));
  auto out = sequential_latency(model, input, requests);
  rt.shutdown();
  if (opts.progress)
    opts.progress(label + ": p50 " + out["p50_ms"].dump() + " ms");
  return out;
}

} // namespace

json run_grid_bench(const runtime_config& cfg, const grid_bench_options& opts) {
  std::string error;
  auto grid = parse_http_url(opts.grid_url, error);
  if (!grid)
    throw std::runtime_error("--grid: " + error);
  auto chromium = cfg.browsers.find("chromium");
  if (chromium == cfg.browsers.end())
    throw std::runtime_error("the config has no chromium browser");
  json report{{"bench", "grid"}, {"grid", opts.grid_url}};
  report["sessions"]
    = session_creation(*grid,
                       webdriver_new_session_body(browser_engine::chromium,
                                                  chromium->second.executable,
                                                  chromium->second.extra_args),
                       opts.sessions, opts);

  // The same pool of one Chromium, started locally and through the Grid.
  auto one_chromium = [&](launcher_config launcher) {
    auto c = cfg;
    auto bc = chromium->second;
    bc.launcher = std::move(launcher);
    bc.min_connections = 1;
    bc.max_connections = 1;
    c.browsers = {{"chromium", bc}};
    c.browsers_explicit = true;
    return c;
  };
  auto local = inference_latency(one_chromium({}), opts.requests, "local",
                                 opts);
  auto remote = inference_latency(one_chromium({"webdriver", opts.grid_url}),
                                  opts.requests, "grid", opts);
  report["inference"] = {{"local", local},
                         {"grid", remote},
                         {"added_p50_ms", remote["p50_ms"].get<double>()
                                            - local["p50_ms"].get<double>()}};
  return report;
}

} // namespace webaccel
