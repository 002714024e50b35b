// Dynamic batching for a model instance: requests gather until the batch is
// full or has waited its max_delay_ms, then go to the page as one request
// whose inputs name the request each belongs to. A batch also closes at
// half its size when the page has no batch of the instance: waiting for a
// full one would leave the page idle, and with the next batch gathering
// while this one runs the page always has one waiting. One delay timer per
// batch, armed by its first request; a batch that closed before its timer
// fired lets the timer find a newer number and do nothing. No actor in
// here: the model instance holds one, with its hosts' promises as waiters.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <vector>

#include "messages/inference.hpp"

namespace webaccel {

template <class Waiter>
class batch_gatherer {
public:
  /// A batch to send: the page's request and one waiter per request in it.
  struct batch {
    page_infer_request request;
    std::vector<Waiter> waiters;
  };

  /// What add() asks of the instance.
  struct verdict {
    /// Close the batch now.
    bool close = false;
    /// Arm the delay timer for the batch with this number.
    std::optional<uint64_t> arm;
  };

  /// `max_size` <= 1: no batching.
  explicit batch_gatherer(uint32_t max_size = 1) : max_(max_size) {
    // nop
  }

  bool batching() const {
    return max_ > 1;
  }

  /// Adds a request; `page_idle`: the page has no request of ours.
  verdict add(infer_request req, Waiter who, bool page_idle) {
    entries_.push_back({std::move(req), std::move(who)});
    verdict out;
    if (entries_.size() >= max_ || should_close_early(page_idle))
      out.close = true;
    else if (entries_.size() == 1)
      out.arm = number_;
    return out;
  }

  /// Whether to close now that the page has nothing of ours: half a batch
  /// gathered (with as many clients as the maximum batch, full batches
  /// alone would take turns with idle round trips).
  bool should_close_early(bool page_idle) const {
    return batching() && page_idle && !entries_.empty()
           && entries_.size() >= (max_ + 1) / 2;
  }

  /// Whether the delay timer of batch `number` concerns the one gathering.
  bool is_current(uint64_t number) const {
    return number == number_;
  }

  /// Closes the batch gathered so far: one request as it came, or several
  /// merged (the longest deadline of them). None if nothing gathered.
  std::optional<batch> close() {
    number_++;
    auto entries = std::move(entries_);
    entries_.clear();
    if (entries.empty())
      return std::nullopt;
    batch out;
    if (entries.size() == 1) {
      out.request = page_infer_request::of(std::move(entries[0].req));
      out.waiters.push_back(std::move(entries[0].who));
      return out;
    }
    auto& merged = out.request;
    merged.batch_items = static_cast<uint32_t>(entries.size());
    for (uint32_t i = 0; i < entries.size(); ++i) {
      auto& e = entries[i];
      merged.timeout_ms = std::max(merged.timeout_ms, e.req.timeout_ms);
      for (auto& t : e.req.inputs) {
        merged.inputs.push_back(std::move(t));
        merged.input_items.push_back(i);
      }
      for (auto& raw : e.req.raw) {
        merged.raw.push_back(std::move(raw));
        merged.raw_items.push_back(i);
      }
      out.waiters.push_back(std::move(e.who));
    }
    return out;
  }

  /// Takes the waiters of everything gathering (the instance shuts down).
  std::vector<Waiter> take_waiters() {
    std::vector<Waiter> out;
    for (auto& e : entries_)
      out.push_back(std::move(e.who));
    entries_.clear();
    return out;
  }

  size_t size() const {
    return entries_.size();
  }

private:
  struct entry {
    infer_request req;
    Waiter who;
  };

  uint32_t max_;
  std::vector<entry> entries_;
  uint64_t number_ = 0;
};

} // namespace webaccel
