// `webaccel bench`: what the runtime adds to each request on a warm model.
// Overhead = end-to-end time seen by the host minus the page's own
// session.run time, over N requests one at a time, then throughput with K
// requests in flight.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <fstream>
#include <iostream>
#include <mutex>

#include <cmath>

#include <nlohmann/json.hpp>

#include "actors/runtime.hpp"
#include "tools/cli_args.hpp"
#include "tools/commands.hpp"
#include "tools/silero_vad.hpp"
#include "tools/stats.hpp"

namespace webaccel {

namespace {

using clock_type = std::chrono::steady_clock;

double ms_between(clock_type::time_point a, clock_type::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

/// Runs `count` requests keeping `inflight` outstanding; returns seconds
/// and fills per-request overheads.
double run_pipelined(const model_handle& model, size_t count, size_t inflight,
                     std::vector<double>& overheads) {
  std::mutex mtx;
  std::condition_variable cv;
  size_t sent = 0, done = 0;
  std::string error;
  auto inputs = vad_probe_frame();
  std::function<void()> send_one;
  send_one = [&] {
    auto t0 = clock_type::now();
    model.infer_async(inputs, [&, t0](infer_result* r, const failure* f) {
      auto t1 = clock_type::now();
      std::unique_lock<std::mutex> guard{mtx};
      if (r)
        overheads.push_back(ms_between(t0, t1) - r->time.compute);
      else if (error.empty())
        error = f->what();
      ++done;
      bool more = sent < count && error.empty();
      if (more)
        ++sent;
      guard.unlock();
      if (more)
        send_one();
      cv.notify_all();
    });
  };
  auto started = clock_type::now();
  {
    std::unique_lock<std::mutex> guard{mtx};
    sent = std::min(inflight, count);
  }
  for (size_t i = 0; i < std::min(inflight, count); ++i)
    send_one();
  std::unique_lock<std::mutex> guard{mtx};
  cv.wait(guard,
          [&] { return done == sent && (sent == count || !error.empty()); });
  if (!error.empty())
    throw std::runtime_error(error);
  return std::chrono::duration<double>(clock_type::now() - started).count();
}

int bench(const cli_args& a) {
  auto cfg = load_cli_config(a, "bench");
  auto requests = a.get_count("--requests", 1000);
  auto inflight = a.get_count("--inflight", 16);
  auto warmup = a.get_count("--warmup", 1000);
  runtime rt{cfg};
  auto model = rt.get_model(model_family::audio, "silero_vad_v5");
  auto inputs = vad_probe_frame();
  std::cerr << "warming up (" << warmup << " requests)..." << std::endl;
  infer_result last;
  for (size_t i = 0; i < warmup; ++i)
    last = model.infer(inputs);
  std::cerr << "measuring " << requests << " requests one at a time..."
            << std::endl;
  std::vector<double> overhead, total, compute;
  auto started = clock_type::now();
  for (size_t i = 0; i < requests; ++i) {
    auto t0 = clock_type::now();
    auto r = model.infer(inputs);
    auto t1 = clock_type::now();
    total.push_back(ms_between(t0, t1));
    compute.push_back(r.time.compute);
    overhead.push_back(ms_between(t0, t1) - r.time.compute);
  }
  auto sequential_s
    = std::chrono::duration<double>(clock_type::now() - started).count();
  std::cerr << "measuring " << requests << " requests with " << inflight
            << " in flight..." << std::endl;
  std::vector<double> pipelined_overhead;
  auto pipelined_s = run_pipelined(model, requests, inflight,
                                   pipelined_overhead);
  nlohmann::json report{
    {"benchmark", "overhead"},
    {"model", model.name()},
    {"browser", last.origin.browser},
    {"browser_version", last.origin.browser_version},
    {"platform", last.origin.platform},
    {"simulated", last.simulated},
    {"requests", requests},
    {"warmup_requests", warmup},
    {"sequential",
     {{"overhead_ms_p50", percentile(overhead, 50)},
      {"overhead_ms_p99", percentile(overhead, 99)},
      {"total_ms_p50", percentile(total, 50)},
      {"total_ms_p99", percentile(total, 99)},
      {"compute_ms_p50", percentile(compute, 50)},
      {"requests_per_s", double(requests) / sequential_s}}},
    {"pipelined",
     {{"inflight", inflight},
      {"requests_per_s", double(requests) / pipelined_s},
      {"overhead_ms_p50", percentile(pipelined_overhead, 50)},
      {"overhead_ms_p99", percentile(pipelined_overhead, 99)}}},
  };
  print_report(a, report);
  rt.shutdown();
  return 0;
}

} // namespace

int bench_main(const cli_args& a) {
  return bench(a);
}

} // namespace webaccel
