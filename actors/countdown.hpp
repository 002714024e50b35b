// Joins a fan-out of asynchronous replies inside one actor: `done` runs once
// every expected reply arrived. Counting starts armed with one, released by
// `arm()` after the last `expect()`, so that a fan-out over nothing (or over
// replies that arrive synchronously) still finishes exactly once.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <vector>

#include <caf/typed_response_promise.hpp>

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

/// Sends the same request to each of `targets` and answers with true once
/// all replied if any said true (a target that fails counts as false).
template <class Self, class Handle, class... Ts>
caf::typed_response_promise<bool>
ask_any(Self* self, const std::vector<Handle>& targets,
        std::chrono::milliseconds timeout, const Ts&... xs) {
  auto rp = self->template make_response_promise<bool>();
  auto found = std::make_shared<bool>(false);
  auto all = make_countdown([=]() mutable { rp.deliver(*found); });
  for (auto& target : targets) {
    all->expect();
    self->request(target, timeout, xs...)
      .then(
        [=](bool ok) {
          *found = *found || ok;
          all->arrive();
        },
        [=](caf::error&) { all->arrive(); });
  }
  all->arm();
  return rp;
}

} // namespace webaccel
