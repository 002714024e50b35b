#include "actors/rules/source_choice.hpp"

#include <doctest/doctest.h>

using namespace webaccel;

namespace {

placement_bid bid(int basis, uint32_t load = 0, bool healthy = true) {
  placement_bid out;
  out.basis = static_cast<uint8_t>(basis);
  out.load = load;
  out.healthy = healthy;
  return out;
}

} // namespace

TEST_CASE("a supervisor's choice as a bid carries the chosen browser's load "
          "and health") {
  std::vector<browser_candidate> ready{{1, 3, 0, false, true},
                                       {2, 1, 0, false, false}};
  browser_choice use;
  use.action = browser_choice::use;
  use.basis = browser_choice::least_loaded;
  use.id = 2;
  auto b = make_bid(use, ready);
  CHECK(b.basis == browser_choice::least_loaded);
  CHECK(b.load == 1);
  CHECK_FALSE(b.healthy);
  browser_choice grow;
  grow.action = browser_choice::grow;
  grow.basis = browser_choice::fresh;
  auto g = make_bid(grow, ready);
  CHECK(g.basis == browser_choice::fresh);
  CHECK(g.load == 0);
  CHECK(g.healthy);
}

TEST_CASE("the best bid: warm, then idle, then a new browser, then the "
          "least loaded; the lower load among equals") {
  std::vector<source_bid> bids{
    {"", bid(browser_choice::least_loaded, 2)},
    {"n1", bid(browser_choice::idle)},
    {"n2", bid(browser_choice::warm, 5)},
  };
  CHECK(choose_source(bids) == std::optional<size_t>{2});
  bids[2].bid = bid(browser_choice::fresh);
  CHECK(choose_source(bids) == std::optional<size_t>{1});
  bids[1].bid = bid(browser_choice::least_loaded, 1);
  CHECK(choose_source(bids) == std::optional<size_t>{2});
  bids[2].bid = bid(browser_choice::least_loaded, 3);
  CHECK(choose_source(bids) == std::optional<size_t>{1});
}

TEST_CASE("ties go to this runtime's own browsers (no network hop), then to "
          "the first node") {
  std::vector<source_bid> bids{
    {"n1", bid(browser_choice::idle)},
    {"", bid(browser_choice::idle)},
    {"n2", bid(browser_choice::idle)},
  };
  CHECK(choose_source(bids) == std::optional<size_t>{1});
  bids.erase(bids.begin() + 1);
  CHECK(choose_source(bids) == std::optional<size_t>{0});
}

TEST_CASE("a sick browser loses to a healthy one, and one that would wait "
          "loses to any that can take the model now") {
  std::vector<source_bid> bids{
    {"", bid(browser_choice::warm, 0, false)},
    {"n1", bid(browser_choice::past_budget, 4)},
  };
  CHECK(choose_source(bids) == std::optional<size_t>{1});
  bids[1].bid = bid(browser_choice::none);
  CHECK(choose_source(bids) == std::optional<size_t>{0});
}

TEST_CASE("bids that did not come lose; none at all chooses nothing") {
  std::vector<source_bid> bids{{"", std::nullopt},
                               {"n1", bid(browser_choice::past_budget, 9)}};
  CHECK(choose_source(bids) == std::optional<size_t>{1});
  bids[1].bid = std::nullopt;
  CHECK_FALSE(choose_source(bids));
  CHECK_FALSE(choose_source({}));
}
