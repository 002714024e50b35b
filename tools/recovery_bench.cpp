#include "tools/recovery_bench.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <random>
#include <set>
#include <thread>

#include "actors/runtime.hpp"
#include "tools/fault_schedule.hpp"
#include "tools/stats.hpp"
#include "tools/steady_load.hpp"
#include "transport/browser/proc_table.hpp"

namespace webaccel {

namespace {

using json = nlohmann::json;
using clock_type = std::chrono::steady_clock;
using namespace std::chrono_literals;

std::string model_name(size_t i) {
  return "tiny_bert_" + std::to_string(i);
}

/// Only the options' browsers, kept at full size; faults on; the models.
runtime_config bench_config(runtime_config cfg,
                            const recovery_bench_options& o) {
  cfg = fixed_pool_config(std::move(cfg), o.kind, o.browsers);
  cfg.recovery.fault_injection = true;
  auto bert = cfg.models.at("tiny_bert");
  for (size_t i = 1; i <= o.models; ++i) {
    bert.name = model_name(i);
    cfg.models[bert.name] = bert;
  }
  return cfg;
}

/// Main pids of the ready browsers of `kind`; only those with a model
/// loaded if `with_models` (a page fault waits for the page's next run).
std::vector<int32_t> fault_targets(const pool_stats& stats,
                                   const std::string& kind, bool with_models) {
  std::vector<int32_t> out;
  for (auto& k : stats.kinds)
    if (k.kind == kind)
      for (auto& c : k.connections)
        if (c.state == "ready" && c.pid != 0
            && (!with_models || !c.loaded_models.empty()))
          out.push_back(c.pid);
  return out;
}

size_t ready_browsers(const pool_stats& stats, const std::string& kind) {
  return fault_targets(stats, kind, false).size();
}

/// Waits until `kind` has `browsers` ready browsers and none restarting;
/// the seconds it took, or a negative number if not within `limit`.
double wait_for_full_pool(runtime& rt, const std::string& kind, size_t browsers,
                          std::chrono::seconds limit) {
  auto started = clock_type::now();
  while (clock_type::now() - started < limit) {
    auto stats = rt.stats();
    uint32_t restarting = 0;
    for (auto& k : stats.kinds)
      if (k.kind == kind)
        restarting += k.restarting;
    if (ready_browsers(stats, kind) == browsers && restarting == 0)
      return seconds_since(started);
    std::this_thread::sleep_for(250ms);
  }
  return -1;
}

/// Children of this process in a state: zombies are 'Z'; 0 = any.
size_t children_of_this_process(char state = 0) {
  size_t n = 0;
  for (auto& p : list_processes())
    if (p.ppid == getpid() && (state == 0 || p.state == state))
      n++;
  return n;
}

/// Processes still alive in the process groups of the killed browsers.
size_t left_of_killed(const std::set<int32_t>& killed) {
  size_t n = 0;
  for (auto& p : list_processes())
    if (killed.count(p.pgrp) != 0 && p.state != 'Z')
      n++;
  return n;
}

json recovery_json(const recovery_stats& r) {
  json strategies = json::object();
  for (auto& [name, s] : r.strategies)
    strategies[name] = {
      {"succeeded", s.succeeded}, {"failed", s.failed}, {"skipped", s.skipped}};
  json times = json::object();
  for (auto& [category, t] : r.time_to_recover)
    times[category] = {{"count", t.count},
                       {"p50_ms", t.p50_ms},
                       {"p95_ms", t.p95_ms},
                       {"max_ms", t.max_ms}};
  return {{"cases", r.cases},         {"attempts", r.attempts},
          {"recovered", r.recovered}, {"exhausted", r.exhausted},
          {"abandoned", r.abandoned}, {"failures_by_category", r.failures},
          {"strategies", strategies}, {"time_to_recover", times}};
}

json requests_json(const load_tally& t, double seconds) {
  return {{"sent", t.sent},
          {"answered", t.answered},
          {"failed", t.failed},
          {"lost", t.outstanding()},
          {"duplicated", t.duplicated},
          {"simulated", t.simulated},
          {"failures_by_category", t.failures},
          {"first_errors", t.first_errors},
          {"answers_per_s", seconds > 0 ? double(t.answered) / seconds : 0},
          {"latency_ms_p50", percentile(t.latency_ms, 50)},
          {"latency_ms_p99", percentile(t.latency_ms, 99)},
          {"latency_ms_max", percentile(t.latency_ms, 100)}};
}

} // namespace

json run_recovery_bench(runtime_config cfg, const recovery_bench_options& o) {
  auto say = [&](const std::string& line) {
    if (o.progress)
      o.progress(line);
  };
  auto schedule = fault_schedule(o.duration_s, o.kill_every_s, o.hangs, o.ooms);
  if (o.browsers == 0 || o.models == 0 || o.clients == 0)
    throw std::invalid_argument("browsers, models and clients must be at "
                                "least 1");
  cfg = bench_config(std::move(cfg), o);
  auto patience = std::chrono::milliseconds{cfg.recovery.max_wait_ms} + 30s;
  runtime rt{cfg};
  auto prefs = cfg.default_preferences;
  prefs.browser = o.kind;
  std::vector<model_handle> models;
  auto request = [timeout = o.request_timeout_ms] {
    return bert_sentence(timeout);
  };
  for (size_t i = 1; i <= o.models; ++i) {
    models.push_back(
      rt.get_model(model_family::text_embedding, model_name(i), prefs));
    models.back().infer(request());
  }
  if (wait_for_full_pool(rt, o.kind, o.browsers, 120s) < 0)
    throw std::runtime_error("the pool did not reach "
                             + std::to_string(o.browsers)
                             + " ready browsers in 120 s");
  say("load: " + std::to_string(o.clients) + " clients on "
      + std::to_string(o.models) + " models, " + std::to_string(o.browsers)
      + " " + o.kind + " browsers, " + std::to_string(schedule.size())
      + " faults in " + std::to_string(int(o.duration_s)) + " s");

  std::mt19937 random{o.seed};
  std::set<int32_t> killed;
  std::map<std::string, uint64_t> injected;
  json fault_log = json::array();
  auto started = clock_type::now();
  steady_load load{models, request, o.clients};
  for (auto& f : schedule) {
    std::this_thread::sleep_until(
      started
      + std::chrono::duration_cast<clock_type::duration>(
        std::chrono::duration<double>{f.at_s}));
    auto targets = fault_targets(rt.stats(), o.kind, f.fault != "kill");
    json entry{{"at_s", f.at_s}, {"fault", f.fault}};
    if (targets.empty()) {
      entry["skipped"] = "no ready browser to fail";
    } else {
      auto pid = targets[std::uniform_int_distribution<size_t>{
        0, targets.size() - 1}(random)];
      entry["pid"] = pid;
      if (rt.inject_fault(pid, f.fault, 1)) {
        injected[f.fault]++;
        if (f.fault == "kill")
          killed.insert(pid);
      } else {
        entry["skipped"] = "the browser was gone";
      }
    }
    auto so_far = load.tally();
    say(std::to_string(int(f.at_s)) + " s: " + f.fault + " "
        + (entry.contains("pid") ? std::to_string(entry["pid"].get<int32_t>())
                                 : "-")
        + (entry.contains("skipped") ? " skipped" : "") + "; answered "
        + std::to_string(so_far.answered) + ", failed "
        + std::to_string(so_far.failed));
    fault_log.push_back(entry);
  }
  std::this_thread::sleep_until(
    started
    + std::chrono::duration_cast<clock_type::duration>(
      std::chrono::duration<double>{o.duration_s}));
  auto load_s = seconds_since(started);
  say("stopping the load; waiting for the answers still due");
  auto tally = load.finish(
    std::chrono::duration_cast<std::chrono::milliseconds>(patience));
  auto full_after_s = wait_for_full_pool(rt, o.kind, o.browsers, 120s);
  auto stats = rt.stats();
  json pool{{"kind", o.kind},
            {"full_size", o.browsers},
            {"ready_at_end", ready_browsers(stats, o.kind)},
            {"back_to_full_size", full_after_s >= 0},
            {"seconds_to_full_after_load", full_after_s}};
  for (auto& k : stats.kinds)
    if (k.kind == o.kind) {
      pool["launches"] = k.launches;
      pool["failures"] = k.failures;
      pool["restarts"] = k.restarts;
      pool["escalations"] = k.escalations;
    }
  json processes{{"zombies_before_shutdown", children_of_this_process('Z')},
                 {"left_of_killed_browsers", left_of_killed(killed)}};
  rt.shutdown();
  processes["children_after_shutdown"] = children_of_this_process();

  auto crash = stats.recovery.time_to_recover.find("browser_crash");
  json report{
    {"benchmark", "recovery"},
    {"duration_s", load_s},
    {"kill_every_s", o.kill_every_s},
    {"browsers", o.browsers},
    {"models", o.models},
    {"model", "tiny_bert (copies, fp32 first)"},
    {"platforms", cfg.default_preferences.priority_list},
    {"clients", o.clients},
    {"request_timeout_ms", o.request_timeout_ms},
    {"seed", o.seed},
    {"faults_injected", injected},
    {"faults", fault_log},
    {"requests", requests_json(tally, load_s)},
    {"recovery", recovery_json(stats.recovery)},
    {"pool", pool},
    {"processes", processes},
    {"targets",
     {{"zero_lost", tally.outstanding() == 0},
      {"zero_duplicated", tally.duplicated == 0},
      {"killed_browser_p50_le_2s", crash != stats.recovery.time_to_recover.end()
                                     && crash->second.p50_ms <= 2000},
      {"pool_back_to_full_size", full_after_s >= 0},
      {"no_zombies", processes["zombies_before_shutdown"] == 0
                       && processes["children_after_shutdown"] == 0}}}};
  return report;
}

} // namespace webaccel
