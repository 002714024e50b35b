// Where actors drop metrics events on the request path: a bounded queue
// behind one mutex, drained by the metrics store. A push never waits for
// the store or the disk; when the queue is full the event is dropped and
// counted. The sink outlives store restarts (the root owns it), so
// producers never hold a dead handle.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "messages/metrics_events.hpp"

namespace webaccel {

class metrics_sink {
public:
  explicit metrics_sink(size_t capacity) : capacity_(capacity) {
    // nop
  }

  /// Queues `event`; false (and counted) if the queue is full.
  bool push(metrics_event event);

  /// Everything queued so far, in order; the queue is empty after.
  std::vector<metrics_event> take();

  /// Events dropped since the start because the queue was full.
  uint64_t dropped() const {
    return dropped_.load(std::memory_order_relaxed);
  }

  size_t capacity() const {
    return capacity_;
  }

private:
  const size_t capacity_;
  std::mutex mtx_;
  std::vector<metrics_event> queue_;
  std::atomic<uint64_t> dropped_{0};
};

/// Records `event` if there is a sink.
inline void record(const std::shared_ptr<metrics_sink>& sink,
                   metrics_event event) {
  if (sink)
    sink->push(std::move(event));
}

} // namespace webaccel
