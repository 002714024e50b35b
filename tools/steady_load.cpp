#include "tools/steady_load.hpp"

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <set>

namespace webaccel {

infer_request bert_sentence(uint32_t timeout_ms) {
  infer_request r;
  r.raw = {raw_input::text("Browsers are a pool of accelerators.")};
  r.timeout_ms = timeout_ms;
  return r;
}

namespace {

using clock_type = std::chrono::steady_clock;

constexpr size_t max_error_messages = 5;

} // namespace

/// What the callbacks share with the load: they may outlive it.
struct steady_load::shared {
  std::vector<model_handle> models;
  std::function<infer_request()> make;
  mutable std::mutex mtx;
  std::condition_variable cv;
  bool stopping = false;
  load_tally tally;
  bool keep_latencies = true;
  /// Requests sent and not answered yet (as many as clients at most): a
  /// callback for a request not in here is a duplicate.
  std::set<uint64_t> unanswered;
};

namespace {

void send_next(const std::shared_ptr<steady_load::shared>& st, size_t client) {
  size_t id;
  {
    std::lock_guard<std::mutex> guard{st->mtx};
    if (st->stopping)
      return;
    id = st->tally.sent++;
    st->unanswered.insert(id);
  }
  auto t0 = clock_type::now();
  auto& model = st->models[client % st->models.size()];
  model.infer_async(st->make(), [st, client, id, t0](infer_result* r,
                                                     const failure* f) {
    auto ms = std::chrono::duration<double, std::milli>(clock_type::now() - t0)
                .count();
    {
      std::lock_guard<std::mutex> guard{st->mtx};
      auto& t = st->tally;
      if (st->unanswered.erase(id) == 0) {
        t.duplicated++;
        return; // Its client went on at the first callback.
      }
      if (r != nullptr) {
        t.answered++;
        if (st->keep_latencies)
          t.latency_ms.push_back(ms);
        if (r->simulated)
          t.simulated++;
      } else {
        t.failed++;
        t.failures[to_string(f->code())]++;
        if (t.first_errors.size() < max_error_messages)
          t.first_errors.push_back(f->what());
      }
    }
    st->cv.notify_all();
    // (A runtime shut down answers at once: going on would never end.)
    if (f == nullptr || f->code() != errc::shutting_down)
      send_next(st, client);
  });
}

} // namespace

runtime_config fixed_pool_config(runtime_config cfg, const std::string& kind,
                                 size_t browsers, size_t spare) {
  auto browser = cfg.browsers.count(kind) != 0 ? cfg.browsers.at(kind)
                                               : browser_config{};
  browser.min_connections = static_cast<uint32_t>(browsers);
  browser.max_connections = static_cast<uint32_t>(browsers);
  cfg.browsers = {{kind, browser}};
  cfg.browsers_explicit = true;
  cfg.pool.max_connections = std::max(cfg.pool.max_connections,
                                      static_cast<uint32_t>(browsers + spare));
  cfg.pool.idle_timeout_ms = 0;
  return cfg;
}

steady_load::steady_load(std::vector<model_handle> models,
                         std::function<infer_request()> make, size_t clients,
                         bool keep_latencies)
  : state_(std::make_shared<shared>()) {
  state_->keep_latencies = keep_latencies;
  state_->models = std::move(models);
  state_->make = std::move(make);
  for (size_t i = 0; i < clients; ++i)
    send_next(state_, i);
}

steady_load::~steady_load() {
  std::lock_guard<std::mutex> guard{state_->mtx};
  state_->stopping = true;
}

load_tally steady_load::finish(std::chrono::milliseconds patience) {
  std::unique_lock<std::mutex> lock{state_->mtx};
  state_->stopping = true;
  state_->cv.wait_for(lock, patience,
                      [&] { return state_->tally.outstanding() == 0; });
  return state_->tally;
}

load_tally steady_load::tally() const {
  std::lock_guard<std::mutex> guard{state_->mtx};
  return state_->tally;
}

} // namespace webaccel
