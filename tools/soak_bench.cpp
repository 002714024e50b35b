#include "tools/soak_bench.hpp"

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "actors/runtime.hpp"
#include "tools/steady_load.hpp"

namespace webaccel {

namespace {

using json = nlohmann::json;
using clock_type = std::chrono::steady_clock;

/// A field of /proc/self/status ("VmRSS", "Threads"), as a number.
uint64_t self_status(const std::string& field) {
  std::ifstream in{"/proc/self/status"};
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(field + ":", 0) == 0)
      return std::stoull(line.substr(field.size() + 1));
  return 0;
}

size_t open_descriptors() {
  size_t n = 0;
  std::error_code ec;
  for (auto i = std::filesystem::directory_iterator{"/proc/self/fd", ec};
       !ec && i != std::filesystem::directory_iterator{}; i.increment(ec))
    ++n;
  return n;
}

runtime_config soak_config(runtime_config cfg, const soak_bench_options& o) {
  // Room for a replacement per browser while the old one drains.
  cfg = fixed_pool_config(std::move(cfg), o.kind, o.browsers, o.browsers);
  cfg.pool.max_lifetime_ms = o.browser_lifetime_s * 1000;
  return cfg;
}

/// The RSS (MiB) of the sample nearest to `minute`, or null if the run was
/// shorter.
json rss_at(const json& samples, double minute) {
  json best;
  double distance = 1e9;
  for (auto& s : samples) {
    auto d = std::abs(s["t_s"].get<double>() - minute * 60);
    if (d < distance && d <= 30) {
      distance = d;
      best = s["rss_mib"];
    }
  }
  return best;
}

} // namespace

double slope(const std::vector<double>& x, const std::vector<double>& y) {
  auto n = static_cast<double>(x.size());
  if (x.size() < 2)
    return 0;
  double sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    sx += x[i];
    sy += y[i];
    sxx += x[i] * x[i];
    sxy += x[i] * y[i];
  }
  auto d = n * sxx - sx * sx;
  return d == 0 ? 0 : (n * sxy - sx * sy) / d;
}

json run_soak_bench(runtime_config base, const soak_bench_options& o) {
  auto say = [&](const std::string& line) {
    if (o.progress)
      o.progress(line);
  };
  auto cfg = soak_config(std::move(base), o);
  runtime rt{cfg};
  auto prefs = cfg.default_preferences;
  prefs.browser = o.kind;
  auto model = rt.get_model(model_family::text_embedding, "tiny_bert", prefs);
  auto request = [] { return bert_sentence(); };
  model.infer(request());
  say("load: " + std::to_string(o.clients) + " clients, "
      + std::to_string(o.browsers) + " " + o.kind + " browsers recycled every "
      + std::to_string(o.browser_lifetime_s) + " s, for "
      + json(o.minutes).dump() + " min");
  json samples = json::array();
  std::vector<double> fit_t, fit_rss, fit_anon;
  auto started = clock_type::now();
  auto end = started
             + std::chrono::duration_cast<clock_type::duration>(
               std::chrono::duration<double>{o.minutes * 60});
  steady_load load{{model}, request, o.clients, false};
  for (int i = 0;; ++i) {
    auto at = started
              + std::chrono::duration_cast<clock_type::duration>(
                std::chrono::duration<double>{i * o.sample_every_s});
    if (at > end)
      break;
    std::this_thread::sleep_until(at);
    auto t = std::chrono::duration<double>(clock_type::now() - started).count();
    auto census = rt.census();
    auto tally = load.tally();
    auto rss_mib = double(self_status("VmRSS")) / 1024;
    // RSS counts the pages of code and libraries touched so far, which
    // grow as rarer paths first run; anonymous memory is what leaks.
    auto anon_mib = double(self_status("RssAnon")) / 1024;
    json s{{"t_s", t},
           {"rss_mib", rss_mib},
           {"rss_anon_mib", anon_mib},
           {"threads", self_status("Threads")},
           {"open_fds", open_descriptors()},
           {"pending_timers", census.pending_timers},
           {"actors", census.actors},
           {"blocking_threads", census.blocking_threads},
           {"answered", tally.answered},
           {"failed", tally.failed}};
    say(s.dump());
    samples.push_back(s);
    if (t >= o.warmup_minutes * 60) {
      fit_t.push_back(t / 3600);
      fit_rss.push_back(rss_mib);
      fit_anon.push_back(anon_mib);
    }
  }
  auto tally = load.finish(std::chrono::seconds{60});
  auto stats = rt.stats();
  json pool;
  for (auto& k : stats.kinds)
    if (k.kind == o.kind)
      pool = {{"launches", k.launches},
              {"retired", k.retired},
              {"failures", k.failures}};
  auto seconds
    = std::chrono::duration<double>(clock_type::now() - started).count();
  rt.shutdown();
  auto rss_slope = slope(fit_t, fit_rss);
  auto anon_slope = slope(fit_t, fit_anon);
  return json{
    {"benchmark", "soak"},
    {"minutes", o.minutes},
    {"browsers", o.browsers},
    {"browser_lifetime_s", o.browser_lifetime_s},
    {"clients", o.clients},
    {"model", "tiny_bert (synthetic weights)"},
    {"requests",
     {{"sent", tally.sent},
      {"answered", tally.answered},
      {"failed", tally.failed},
      {"lost", tally.outstanding()},
      {"duplicated", tally.duplicated},
      {"per_s", double(tally.answered) / seconds},
      {"failures", tally.failures},
      {"first_errors", tally.first_errors}}},
    {"pool", pool},
    {"rss_mib_at",
     {{"1", rss_at(samples, 1)},
      {"5", rss_at(samples, 5)},
      {"15", rss_at(samples, 15)}}},
    {"rss_slope_mib_per_hour_after_warmup", rss_slope},
    {"rss_anon_slope_mib_per_hour_after_warmup", anon_slope},
    {"targets",
     {{"rss_flat_lt_1mib_per_hour", rss_slope < 1.0},
      {"rss_anon_flat_lt_1mib_per_hour", anon_slope < 1.0}}},
    {"samples", samples},
  };
}

} // namespace webaccel
