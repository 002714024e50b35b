#include "tools/load_driver.hpp"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <stdexcept>

namespace webaccel {

namespace {

using clock_type = std::chrono::steady_clock;

double ms_between(clock_type::time_point a, clock_type::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

} // namespace

load_result drive_load(const std::vector<model_handle>& models,
                       const std::function<infer_request(size_t)>& make,
                       size_t count, size_t inflight) {
  std::mutex mtx;
  std::condition_variable cv;
  size_t sent = 0, done = 0;
  std::string error;
  load_result out;
  std::function<void(size_t)> send_one;
  send_one = [&](size_t i) {
    auto t0 = clock_type::now();
    models[i % models.size()].infer_async(make(i), [&, t0](infer_result* r,
                                                           const failure* f) {
      auto t1 = clock_type::now();
      std::unique_lock<std::mutex> guard{mtx};
      if (r) {
        out.total_ms.push_back(ms_between(t0, t1));
        auto total = ms_between(t0, t1);
        auto& t = r->time;
        out.overhead_ms.push_back(total - t.compute);
        out.compute_ms.push_back(t.compute);
        out.wire_ms.push_back(t.transfer);
        out.page_ms.push_back(
          std::max(0.0, t.total - t.queue - t.transfer - t.compute));
        out.host_ms.push_back(std::max(0.0, total - (t.total - t.queue)));
        if (r->batch_size > 1)
          out.batched++;
      } else if (error.empty()) {
        error = f->what();
      }
      ++done;
      bool more = sent < count && error.empty();
      size_t next = sent;
      if (more)
        ++sent;
      bool finished = done == sent;
      guard.unlock();
      if (more)
        send_one(next);
      else if (finished) // (Waking the waiting thread each time costs a core.)
        cv.notify_all();
    });
  };
  auto started = clock_type::now();
  size_t first = std::min(inflight, count);
  {
    std::lock_guard<std::mutex> guard{mtx};
    sent = first;
  }
  for (size_t i = 0; i < first; ++i)
    send_one(i);
  std::unique_lock<std::mutex> guard{mtx};
  cv.wait(guard,
          [&] { return done == sent && (sent == count || !error.empty()); });
  if (!error.empty())
    throw std::runtime_error(error);
  out.seconds
    = std::chrono::duration<double>(clock_type::now() - started).count();
  return out;
}

double requests_per_second(const load_result& r, size_t count) {
  return r.seconds > 0 ? double(count) / r.seconds : 0;
}

} // namespace webaccel
