#include "transport/blocking_pool.hpp"

#include "config/thread_barrier.hpp"

namespace webaccel {

blocking_pool::blocking_pool(size_t max_threads)
  : max_threads_(max_threads == 0 ? 1 : max_threads) {
  // nop
}

blocking_pool::~blocking_pool() {
  stop();
}

bool blocking_pool::post(std::function<void()> task,
                         failure_handler on_failure) {
  std::lock_guard<std::mutex> guard{mtx_};
  if (stopping_)
    return false;
  queue_.push_back({std::move(task), std::move(on_failure)});
  // A task must not wait behind one that blocks: start a thread unless one
  // is idle (or the maximum runs).
  if (idle_ < queue_.size() && threads_.size() < max_threads_)
    threads_.emplace_back([this] { work(); });
  else
    cv_.notify_one();
  return true;
}

void blocking_pool::stop() {
  std::vector<std::thread> threads;
  {
    std::lock_guard<std::mutex> guard{mtx_};
    stopping_ = true;
    threads.swap(threads_);
  }
  cv_.notify_all();
  for (auto& t : threads)
    if (t.joinable())
      t.join();
}

size_t blocking_pool::threads() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return threads_.size();
}

size_t blocking_pool::pending() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return queue_.size() + running_;
}

void blocking_pool::work() {
  std::unique_lock<std::mutex> lock{mtx_};
  for (;;) {
    ++idle_;
    cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    --idle_;
    if (queue_.empty())
      return; // Stopping, and nothing left to run.
    auto next = std::move(queue_.front());
    queue_.pop_front();
    ++running_;
    lock.unlock();
    run_in_barrier(thread_kind::blocking_pool, "a blocking task", next.task,
                   [&next](const std::string& error) {
                     if (next.on_failure)
                       next.on_failure(error);
                   });
    lock.lock();
    --running_;
  }
}

} // namespace webaccel
