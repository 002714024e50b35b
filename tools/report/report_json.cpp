#include "tools/report/report_json.hpp"

namespace webaccel {

using json = nlohmann::json;

json figures_to_json(const request_figures& f) {
  return {{"requests", f.requests},
          {"failures", f.failures},
          {"batches", f.batches},
          {"simulated", f.simulated},
          {"throughput_per_s", f.throughput_per_s},
          {"avg_ms", f.avg_ms},
          {"p50_ms", f.p50_ms},
          {"p95_ms", f.p95_ms},
          {"p99_ms", f.p99_ms},
          {"max_ms", f.max_ms},
          {"avg_queue_ms", f.avg_queue_ms},
          {"avg_transfer_ms", f.avg_transfer_ms},
          {"avg_compute_ms", f.avg_compute_ms},
          {"failed_by", f.failed_by}};
}

json summary_to_json(const metrics_summary& s) {
  json placements = json::array();
  for (auto& p : s.placements)
    placements.push_back({{"model", p.model},
                          {"browser", p.browser},
                          {"platform", p.platform},
                          {"figures", figures_to_json(p.figures)}});
  json models = json::object();
  for (auto& [name, f] : s.models)
    models[name] = figures_to_json(f);
  json browsers = json::array();
  for (auto& b : s.browsers)
    browsers.push_back({{"kind", b.kind},
                        {"launches", b.launches},
                        {"ended_by", b.ended_by},
                        {"requests", figures_to_json(b.requests)}});
  json recoveries = json::array();
  for (auto& r : s.recoveries)
    recoveries.push_back({{"category", r.category},
                          {"attempts", r.attempts},
                          {"recovered", r.recovered},
                          {"exhausted", r.exhausted},
                          {"strategies", r.strategies},
                          {"outcomes", r.outcomes},
                          {"avg_recovery_ms", r.avg_recovery_ms},
                          {"max_recovery_ms", r.max_recovery_ms}});
  return {
    {"from_s", s.from_s},
    {"to_s", s.to_s},
    {"runs", s.runs},
    {"requests", figures_to_json(s.requests)},
    {"loads",
     {{"loads", s.loads.loads},
      {"failures", s.loads.failures},
      {"avg_load_ms", s.loads.avg_load_ms},
      {"avg_warmup_ms", s.loads.avg_warmup_ms}}},
    {"platform_distribution", s.platform_distribution},
    {"placements", placements},
    {"models", models},
    {"browsers", browsers},
    {"cache", {{"hits", s.cache_hits}, {"misses", s.cache_misses}}},
    {"recoveries", recoveries},
    {"store",
     {{"enabled", s.store.enabled},
      {"path", s.store.path},
      {"degraded", s.store.degraded},
      {"reason", s.store.reason},
      {"written", s.store.written},
      {"dropped", s.store.dropped},
      {"db_bytes", s.store.db_bytes}}},
  };
}

json history_to_json(const metrics_history& h) {
  json throughput = json::array();
  for (auto& p : h.throughput)
    throughput.push_back({{"minute", p.minute},
                          {"model", p.model},
                          {"browser", p.browser},
                          {"platform", p.platform},
                          {"requests", p.requests},
                          {"failures", p.failures}});
  json memory = json::array();
  for (auto& m : h.memory)
    memory.push_back({{"at", m.at},
                      {"connection", m.connection},
                      {"kind", m.kind},
                      {"memory_bytes", m.memory_bytes},
                      {"heap_bytes", m.heap_bytes},
                      {"score", m.score}});
  json browsers = json::array();
  for (auto& b : h.browsers)
    browsers.push_back({{"run", b.run_id},
                        {"connection", b.connection},
                        {"kind", b.kind},
                        {"version", b.version},
                        {"platforms", b.platforms},
                        {"adapter", b.adapter},
                        {"ready_at", b.ready_at},
                        {"ended_at", b.ended_at},
                        {"requests", b.requests},
                        {"end_category", b.end_category},
                        {"end_reason", b.end_reason}});
  json recoveries = json::array();
  for (auto& r : h.recoveries)
    recoveries.push_back({{"at", r.at},
                          {"model", r.model},
                          {"category", r.category},
                          {"strategy", r.strategy},
                          {"outcome", r.outcome},
                          {"duration_ms", r.duration_ms},
                          {"detail", r.detail}});
  return {{"summary", summary_to_json(h.summary)},
          {"throughput_per_minute", throughput},
          {"memory", memory},
          {"browser_timeline", browsers},
          {"recovery_events", recoveries}};
}

} // namespace webaccel
