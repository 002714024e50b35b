#include "transport/store/metrics_sink.hpp"

namespace webaccel {

bool metrics_sink::push(metrics_event event) {
  std::lock_guard<std::mutex> guard{mtx_};
  if (queue_.size() >= capacity_) {
    dropped_.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  queue_.push_back(std::move(event));
  return true;
}

std::vector<metrics_event> metrics_sink::take() {
  std::vector<metrics_event> out;
  {
    std::lock_guard<std::mutex> guard{mtx_};
    out.swap(queue_);
  }
  return out;
}

} // namespace webaccel
