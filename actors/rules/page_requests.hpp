// The inference requests a browser connection has at its page: their
// deadlines, and how they travel. The page works on at most two messages at
// once (one running, one waiting, so that it never idles for a round trip);
// requests that arrive meanwhile are held, then go together as one bundle.
// One deadline timer serves every request: a timer each would wake CAF's
// clock thread for every request. CAF 0.17 cannot cancel a delayed message,
// so a request with an earlier deadline than the pending timer's arms a
// second one; no two are ever pending for the same time. No actor in here: the
// browser connection holds one, with its response promises as the waiters, and
// tests use plain numbers.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <utility>
#include <vector>

namespace webaccel {

template <class Waiter>
class page_requests {
public:
  using time_point = std::chrono::steady_clock::time_point;

  /// How much goes to the page at once.
  struct sizes {
    /// Messages the page works on at once.
    size_t max_dispatches = 2;
    /// Requests in one bundle.
    size_t max_bundle_requests = 64;
    /// Largest message to the page, and what a bundle's framing takes of
    /// it: once per bundle, and per frame in it.
    uint64_t max_message_bytes = 16u << 20;
    uint64_t bundle_overhead = 64;
    uint64_t frame_overhead = 5;
  };

  /// One message for the page: a request's frame as it is, or (several)
  /// their frames to bundle.
  struct dispatch {
    std::vector<uint64_t> ids;
    std::vector<std::vector<uint8_t>> frames;
  };

  /// A request taken off the table.
  struct entry {
    Waiter waiter;
    /// When it went to the page (or was added, if it never went).
    time_point sent;
    time_point deadline;
  };

  explicit page_requests(sizes s) : sizes_(s) {
    // nop
  }

  /// Adds request `id`. Returns its message if the page has room and
  /// nothing is held before it; else it is held for a later bundle.
  std::optional<dispatch> add(uint64_t id, Waiter waiter,
                              std::vector<uint8_t> frame, time_point now,
                              time_point deadline) {
    requests_.emplace(id, slot{std::move(waiter), now, deadline, 0,
                               deadlines_.insert(deadline)});
    if (dispatches_.size() < sizes_.max_dispatches && held_.empty()) {
      dispatch d;
      d.ids.push_back(id);
      d.frames.push_back(std::move(frame));
      mark_sent(d, now);
      return d;
    }
    held_.emplace_back(id, std::move(frame));
    return std::nullopt;
  }

  /// Takes request `id` off (the page answered or failed it); nullopt if
  /// it is not here (its deadline passed first). Call sendable() after.
  std::optional<entry> take(uint64_t id) {
    auto i = requests_.find(id);
    if (i == requests_.end())
      return std::nullopt;
    return leave(i);
  }

  /// Takes every request whose deadline passed at `now`.
  std::vector<entry> expire(time_point now) {
    std::vector<entry> out;
    for (auto i = requests_.begin(); i != requests_.end();) {
      if (i->second.deadline > now) {
        ++i;
        continue;
      }
      auto next = std::next(i);
      out.push_back(leave(i));
      i = next;
    }
    return out;
  }

  /// The held requests that may go now, as messages, while the page has
  /// room. Requests whose deadline passed while held are skipped.
  std::vector<dispatch> sendable(time_point now) {
    std::vector<dispatch> out;
    const uint64_t budget = sizes_.max_message_bytes - sizes_.bundle_overhead;
    while (!held_.empty() && dispatches_.size() < sizes_.max_dispatches) {
      dispatch d;
      uint64_t bytes = 0;
      size_t used = 0;
      for (; used < held_.size() && d.ids.size() < sizes_.max_bundle_requests;
           ++used) {
        auto& [id, frame] = held_[used];
        if (requests_.count(id) == 0)
          continue; // Its deadline passed while it was held.
        auto cost = frame.size() + sizes_.frame_overhead;
        if (!d.ids.empty() && bytes + cost > budget)
          break;
        bytes += cost;
        d.ids.push_back(id);
        d.frames.push_back(std::move(frame));
      }
      held_.erase(held_.begin(), held_.begin() + static_cast<ptrdiff_t>(used));
      if (d.ids.empty())
        continue;
      mark_sent(d, now);
      out.push_back(std::move(d));
    }
    return out;
  }

  /// Takes everything off (the connection failed).
  std::vector<entry> take_all() {
    std::vector<entry> out;
    for (auto& [id, s] : requests_)
      out.push_back({std::move(s.waiter), s.sent, s.deadline});
    requests_.clear();
    deadlines_.clear();
    held_.clear();
    dispatches_.clear();
    return out;
  }

  /// Where a deadline timer must fire, if one has to be armed now: no
  /// timer is pending for the earliest deadline or before it.
  std::optional<time_point> timer_to_arm() {
    auto next = next_deadline();
    if (!next || (!armed_.empty() && *armed_.begin() <= *next))
      return std::nullopt;
    armed_.insert(*next);
    return next;
  }

  /// A deadline timer fired at `now`; call expire(), then timer_to_arm().
  void fired(time_point now) {
    armed_.erase(armed_.begin(), armed_.upper_bound(now));
  }

  /// Deadline timers pending.
  size_t timers() const {
    return armed_.size();
  }

  /// Requests on the table (at the page or held).
  size_t size() const {
    return requests_.size();
  }

  bool empty() const {
    return requests_.empty();
  }

  /// Messages at the page.
  size_t dispatches() const {
    return dispatches_.size();
  }

  /// Requests held back.
  size_t held() const {
    return held_.size();
  }

private:
  struct slot {
    Waiter waiter;
    time_point sent;
    time_point deadline;
    /// The message it went out in; 0 while held.
    uint64_t dispatch = 0;
    /// Its entry in `deadlines_`.
    typename std::multiset<time_point>::iterator deadline_entry;
  };

  using iterator = typename std::map<uint64_t, slot>::iterator;

  void mark_sent(const dispatch& d, time_point now) {
    auto number = ++next_dispatch_;
    dispatches_[number] = d.ids.size();
    for (auto id : d.ids) {
      auto& s = requests_.at(id);
      s.dispatch = number;
      s.sent = now;
    }
  }

  /// Removes a request; once its message has no request left at the page,
  /// held ones may go.
  entry leave(iterator i) {
    entry out{std::move(i->second.waiter), i->second.sent, i->second.deadline};
    deadlines_.erase(i->second.deadline_entry);
    if (auto d = dispatches_.find(i->second.dispatch); d != dispatches_.end())
      if (--d->second == 0)
        dispatches_.erase(d);
    requests_.erase(i);
    return out;
  }

  std::optional<time_point> next_deadline() const {
    if (deadlines_.empty())
      return std::nullopt;
    return *deadlines_.begin();
  }

  sizes sizes_;
  std::map<uint64_t, slot> requests_;
  /// Every request's deadline, earliest first: the timer's next time
  /// without a scan of the table per request.
  std::multiset<time_point> deadlines_;
  std::vector<std::pair<uint64_t, std::vector<uint8_t>>> held_;
  /// Messages at the page, each with its count of unanswered requests.
  std::map<uint64_t, size_t> dispatches_;
  uint64_t next_dispatch_ = 0;
  /// When the pending deadline timers fire.
  std::multiset<time_point> armed_;
};

} // namespace webaccel
