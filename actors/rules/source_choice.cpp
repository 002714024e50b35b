#include "actors/rules/source_choice.hpp"

#include <tuple>

namespace webaccel {

placement_bid make_bid(const browser_choice& choice,
                       const std::vector<browser_candidate>& ready) {
  placement_bid out;
  out.basis = static_cast<uint8_t>(choice.basis);
  if (choice.action != browser_choice::use)
    return out;
  for (auto& c : ready)
    if (c.id == choice.id) {
      out.load = c.load;
      out.healthy = c.healthy;
    }
  return out;
}

namespace {

/// Lower is better: warm, idle, fresh, least loaded, past budget, wait.
int basis_rank(uint8_t basis) {
  switch (basis) {
    case browser_choice::warm:
      return 0;
    case browser_choice::idle:
      return 1;
    case browser_choice::fresh:
      return 2;
    case browser_choice::least_loaded:
      return 3;
    case browser_choice::past_budget:
      return 4;
    default:
      return 5;
  }
}

} // namespace

std::optional<size_t> choose_source(const std::vector<source_bid>& bids) {
  std::optional<size_t> best;
  auto key = [&](size_t i) {
    auto& b = *bids[i].bid;
    auto waits = b.basis == browser_choice::none;
    return std::make_tuple(waits, !b.healthy, basis_rank(b.basis), b.load,
                           !bids[i].source.empty());
  };
  for (size_t i = 0; i < bids.size(); ++i) {
    if (!bids[i].bid)
      continue;
    if (!best || key(i) < key(*best))
      best = i;
  }
  return best;
}

} // namespace webaccel
