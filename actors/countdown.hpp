// Joins a fan-out of asynchronous replies inside one actor: `done` runs once
// every expected reply arrived. Counting starts armed with one, released by
// `arm()` after the last `expect()`, so that a fan-out over nothing (or over
// replies that arrive synchronously) still finishes exactly once.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>

namespace webaccel {

class countdown {
 public:
  explicit countdown(std::function<void()> done) : done_(std::move(done)) {
    // nop
  }

  /// One more reply to wait for.
  void expect() {
    ++pending_;
  }

  /// One reply arrived (or failed).
  void arrive() {
    if (--pending_ == 0)
      done_();
  }

  /// Every expect() was made: the arming count goes.
  void arm() {
    arrive();
  }

 private:
  std::function<void()> done_;
  size_t pending_ = 1;
};

inline std::shared_ptr<countdown> make_countdown(std::function<void()> done) {
  return std::make_shared<countdown>(std::move(done));
}

} // namespace webaccel
