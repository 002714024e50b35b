#include "tools/serve/model_loader.hpp"

#include <algorithm>

#include "config/logging.hpp"
#include "config/thread_barrier.hpp"

namespace webaccel {

namespace {

int64_t steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
           std::chrono::steady_clock::now().time_since_epoch())
    .count();
}

} // namespace

// -- load_retries -------------------------------------------------------------

void load_retries::failed(const std::string& name, int64_t now_ms,
                          uint64_t capacity) {
  auto& a = failed_[name];
  a.failures++;
  a.at_ms = now_ms;
  a.capacity = capacity;
}

void load_retries::forget(const std::string& name) {
  failed_.erase(name);
}

bool load_retries::known(const std::string& name) const {
  return failed_.count(name) != 0;
}

bool load_retries::due(const std::string& name, int64_t now_ms,
                       uint64_t capacity) const {
  auto i = failed_.find(name);
  if (i == failed_.end())
    return true;
  auto& a = i->second;
  return a.capacity != capacity || now_ms - a.at_ms >= backoff_ms(a.failures);
}

int64_t load_retries::wait_ms(const std::string& name) const {
  auto i = failed_.find(name);
  return i == failed_.end() ? 0 : backoff_ms(i->second.failures);
}

int64_t load_retries::backoff_ms(uint32_t failures) const {
  auto wait = first_ms_;
  for (uint32_t i = 1; i < failures && wait < max_ms_; ++i)
    wait *= 2;
  return std::min(wait, max_ms_);
}

uint64_t pool_capacity(const pool_stats& stats) {
  std::string text;
  for (auto& k : stats.kinds)
    if (k.disabled.empty())
      text += "kind:" + k.kind + ";";
  for (auto& n : stats.nodes)
    if (n.state == "joined")
      text += "node:" + n.name + "@" + std::to_string(n.epoch) + ";";
  return std::hash<std::string>{}(text);
}

// -- model_loader -------------------------------------------------------------

model_loader::model_loader(runtime& rt, model_table& models,
                           std::function<void()> on_ready,
                           std::chrono::milliseconds interval)
  : rt_(rt),
    models_(models),
    on_ready_(std::move(on_ready)),
    interval_(interval) {
  thread_ = std::thread{[this] { loop(); }};
}

model_loader::~model_loader() {
  stop();
}

void model_loader::stop() {
  {
    std::lock_guard<std::mutex> guard{mtx_};
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable())
    thread_.join();
}

void model_loader::loop() {
  std::unique_lock<std::mutex> lock{mtx_};
  while (!stopping_) {
    lock.unlock();
    run_in_barrier(thread_kind::model_loader, "loading the served models",
                   [this] { round(); });
    lock.lock();
    wake_.wait_for(lock, interval_, [this] { return stopping_; });
  }
}

void model_loader::round() {
  uint64_t capacity = 0;
  bool capacity_known = false;
  for (auto& e : models_.not_ready(models_.wanted())) {
    if (e.state != served_state::unloaded
        && e.state != served_state::unavailable) {
      retries_.forget(e.name); // Loading, or loaded and failing.
      continue;
    }
    if (!capacity_known) {
      capacity = pool_capacity(rt_.stats());
      capacity_known = true;
    }
    if (e.state == served_state::unavailable && !retries_.known(e.name)) {
      // A load that failed elsewhere (the repository API): its backoff
      // starts now.
      retries_.failed(e.name, steady_ms(), capacity);
      continue;
    }
    if (!retries_.due(e.name, steady_ms(), capacity))
      continue;
    {
      std::lock_guard<std::mutex> guard{mtx_};
      if (stopping_)
        return;
    }
    try {
      models_.load(e.name);
      retries_.forget(e.name);
      logger()->info("serve: model {} is ready", e.name);
    } catch (const std::exception& err) {
      retries_.failed(e.name, steady_ms(), capacity);
      logger()->warn("serve: model {} did not load (tried again in {} ms, or "
                     "when the pool changes): {}",
                     e.name, retries_.wait_ms(e.name), err.what());
    }
  }
  if (on_ready_ && models_.all_ready(models_.wanted())) {
    auto once = std::move(on_ready_);
    on_ready_ = nullptr;
    once();
  }
}

} // namespace webaccel
