// Where a model goes when more than one pool can take it: this runtime's
// own browsers of a kind and those of its webaccel nodes each bid what
// their supervisor would choose (choose_browser), and the head takes the
// best bid by the same order a supervisor uses among its own browsers.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "actors/rules/pool_rules.hpp"
#include "messages/node.hpp"

namespace webaccel {

/// What a supervisor's choice means as a bid: its basis, and the load and
/// health of the browser it would use (none for a new one or a wait).
placement_bid make_bid(const browser_choice& choice,
                       const std::vector<browser_candidate>& ready);

/// One pool's bid: "" names this runtime's own browsers, else a node.
struct source_bid {
  std::string source;
  /// Nullopt: it did not answer in time (or failed).
  std::optional<placement_bid> bid;
};

/// The index of the best bid: any that can take the model now before one
/// that would have to wait; a healthy browser before a sick one; then warm
/// (it has the model), idle, a new browser, the least loaded one within
/// its budget, the least loaded past it; the lower load among equals; this
/// runtime's own before a node (no network hop), then the order given. Nullopt
/// if none answered.
std::optional<size_t> choose_source(const std::vector<source_bid>& bids);

} // namespace webaccel
