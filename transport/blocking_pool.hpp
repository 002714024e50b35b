// Runs the calls that block, off CAF's worker threads: WebDriver session
// create and delete, stopping and reaping a browser's process group, /proc
// scans. CAF runs as many workers as there are cores (two here), so one
// blocked worker stalls half of the runtime, two stall all of it. Threads
// start as tasks need them, up to a maximum, and live until stop(): browsers
// are started from them, and a child's PR_SET_PDEATHSIG fires when the
// thread that forked it ends.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace webaccel {

class blocking_pool {
public:
  /// At most `max_threads` tasks run at once; the rest wait in order.
  explicit blocking_pool(size_t max_threads = 16);

  /// Runs what is queued, then joins (see stop()).
  ~blocking_pool();

  blocking_pool(const blocking_pool&) = delete;
  blocking_pool& operator=(const blocking_pool&) = delete;

  /// What a task that throws is told, with the exception's text.
  using failure_handler = std::function<void(const std::string&)>;

  /// Queues `task`; false (and `task` not run) once stop() began. A task
  /// that throws does not end its thread: the exception is logged and
  /// counted (thread_barrier.hpp), then handed to `on_failure`, which
  /// should answer whoever waits for the task.
  bool post(std::function<void()> task, failure_handler on_failure = {});

  /// Runs every task queued so far, then joins the threads. Idempotent.
  void stop();

  /// Threads started so far (they stay until stop()).
  size_t threads() const;

  /// Tasks queued or running.
  size_t pending() const;

private:
  void work();

  const size_t max_threads_;
  mutable std::mutex mtx_;
  std::condition_variable cv_;
  struct queued {
    std::function<void()> task;
    failure_handler on_failure;
  };

  std::deque<queued> queue_;
  std::vector<std::thread> threads_;
  size_t idle_ = 0;
  size_t running_ = 0;
  bool stopping_ = false;
};

} // namespace webaccel
