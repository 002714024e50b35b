// `webaccel bench pool`: what the browser pool is worth.
// - Cold start: a fresh runtime asks for a browser of each kind, N times;
//   the time until the page said hello with its probes.
// - Pooling: requests per second on a warm pooled browser, against
//   launching a browser (and loading the model) for every request.
// - The runtime's own memory (RSS) with its server and actors up and no
//   browser started.
#include <chrono>
#include <fstream>
#include <iostream>

#include <nlohmann/json.hpp>

#include "actors/runtime.hpp"
#include "tools/cli_args.hpp"
#include "tools/commands.hpp"
#include "tools/silero_vad.hpp"
#include "tools/stats.hpp"

namespace webaccel {

namespace {

using clock_type = std::chrono::steady_clock;

/// This process's resident set size, from /proc/self/status.
uint64_t own_rss_bytes() {
  std::ifstream status{"/proc/self/status"};
  std::string key;
  while (status >> key) {
    uint64_t kib = 0;
    if (key == "VmRSS:" && status >> kib)
      return kib * 1024;
    status.ignore(4096, '\n');
  }
  return 0;
}

runtime_config config_for(const runtime_config& base, const std::string& kind) {
  auto cfg = base;
  cfg.browsers = {{kind, base.browsers.count(kind) ? base.browsers.at(kind)
                                                   : browser_config{}}};
  cfg.browsers_explicit = true;
  cfg.default_preferences.browser = kind;
  cfg.default_preferences.priority_list = {"wasm"};
  return cfg;
}

nlohmann::json cold_starts(const runtime_config& base, const std::string& kind,
                           size_t launches) {
  std::vector<double> host_ms, page_ms, memory_mib;
  std::string version;
  for (size_t i = 0; i < launches; ++i) {
    runtime rt{config_for(base, kind)};
    auto t0 = clock_type::now();
    auto caps = rt.connect_browser(kind);
    host_ms.push_back(ms_since(t0));
    version = caps.browser_version;
    auto stats = rt.stats();
    for (auto& k : stats.kinds)
      for (auto& c : k.connections) {
        page_ms.push_back(c.cold_start_ms);
        memory_mib.push_back(double(c.process_bytes) / (1 << 20));
      }
    std::cerr << "  " << kind << " cold start " << (i + 1) << "/" << launches
              << ": " << host_ms.back() << " ms" << std::endl;
  }
  return {{"kind", kind},
          {"version", version},
          {"launches", launches},
          {"cold_start_ms_p50", percentile(host_ms, 50)},
          {"cold_start_ms_p95", percentile(host_ms, 95)},
          {"cold_start_ms_min", percentile(host_ms, 0)},
          {"launch_to_hello_ms_p50", percentile(page_ms, 50)},
          {"idle_memory_mib_p50", percentile(memory_mib, 50)}};
}

nlohmann::json pooling(const runtime_config& base, const std::string& kind,
                       size_t pooled_requests, size_t launched_requests) {
  auto cfg = config_for(base, kind);
  auto inputs = vad_probe_frame();
  double pooled_per_s = 0;
  {
    runtime rt{cfg};
    auto model = rt.get_model(model_family::audio, "silero_vad_v5");
    for (size_t i = 0; i < pooled_requests; ++i) // JIT warm-up
      model.infer(inputs);
    auto t0 = clock_type::now();
    for (size_t i = 0; i < pooled_requests; ++i)
      model.infer(inputs);
    pooled_per_s = double(pooled_requests) / (ms_since(t0) / 1000);
  }
  std::cerr << "  pooled: " << pooled_per_s << " requests/s" << std::endl;
  std::vector<double> each_ms;
  auto t0 = clock_type::now();
  for (size_t i = 0; i < launched_requests; ++i) {
    auto t = clock_type::now();
    runtime rt{cfg};
    rt.get_model(model_family::audio, "silero_vad_v5").infer(inputs);
    rt.shutdown();
    each_ms.push_back(ms_since(t));
    std::cerr << "  launch per request " << (i + 1) << "/" << launched_requests
              << ": " << each_ms.back() << " ms" << std::endl;
  }
  auto launched_per_s = double(launched_requests) / (ms_since(t0) / 1000);
  return {{"kind", kind},
          {"model", "silero_vad_v5"},
          {"platform", "wasm"},
          {"pooled_requests", pooled_requests},
          {"pooled_requests_per_s", pooled_per_s},
          {"launch_per_request_requests", launched_requests},
          {"launch_per_request_requests_per_s", launched_per_s},
          {"launch_per_request_ms_p50", percentile(each_ms, 50)},
          {"speedup", pooled_per_s / launched_per_s}};
}

int bench_pool(const cli_args& a) {
  auto base = load_cli_config(a, "bench pool");
  auto launches = a.get_count("--launches", 10);
  auto pooled_requests = a.get_count("--requests", 1000);
  auto launched_requests = a.get_count("--launched-requests", 5);
  nlohmann::json report{{"benchmark", "pool"}};
  std::vector<std::string> kinds;
  {
    auto rss_before = own_rss_bytes();
    runtime rt{base};
    report["runtime_rss_mib_without_browsers"] = double(own_rss_bytes())
                                                 / (1 << 20);
    report["runtime_rss_mib_before_start"] = double(rss_before) / (1 << 20);
    for (auto& [kind, found] : rt.installed_browsers())
      kinds.push_back(kind);
  }
  if (kinds.empty())
    throw std::runtime_error("no browser is installed here; see `webaccel "
                             "doctor`");
  std::cerr << "cold starts (" << launches << " per kind)..." << std::endl;
  report["cold_start"] = nlohmann::json::array();
  for (auto& kind : kinds)
    report["cold_start"].push_back(cold_starts(base, kind, launches));
  auto kind = a.get("--kind", "chromium");
  if (std::find(kinds.begin(), kinds.end(), kind) == kinds.end())
    kind = kinds.front();
  std::cerr << "pooled vs launch per request on " << kind << "..." << std::endl;
  report["pooling"] = pooling(base, kind, pooled_requests, launched_requests);
  print_report(a, report);
  return 0;
}

} // namespace

int pool_bench_main(const cli_args& a) {
  return bench_pool(a);
}

} // namespace webaccel
