#include "actors/rules/node_table.hpp"

#include <doctest/doctest.h>

using namespace webaccel;

TEST_CASE("node names: short, and only letters, digits, '.', '_' and '-'") {
  std::string error;
  CHECK(valid_node_name("gpu-box_1.lab", error));
  CHECK_FALSE(valid_node_name("", error));
  CHECK(error == "a node name has 1 to 64 characters, got 0");
  CHECK_FALSE(valid_node_name(std::string(65, 'a'), error));
  CHECK_FALSE(valid_node_name("a b", error));
  CHECK(
    error
    == "a node name may hold letters, digits, '.', '_' and '-' only: 'a b'");
  CHECK_FALSE(valid_node_name("a\nb", error));
}

TEST_CASE("a node joins, goes silent, is lost, and rejoins under a new "
          "epoch; reports about the old epoch are stale") {
  node_table t;
  std::optional<uint64_t> replaced;
  std::string error;
  auto e1 = t.join("n1", "10.0.0.2:5000", {"chromium"}, 1000, replaced, error);
  REQUIRE(e1 == std::optional<uint64_t>{1});
  CHECK_FALSE(replaced);
  CHECK(t.seen("n1", 1, 2000));
  CHECK(t.silent(4000, 3000).empty());
  CHECK(t.silent(5001, 3000)
        == std::vector<std::pair<std::string, uint64_t>>{{"n1", 1}});
  CHECK(t.lost("n1", 1, 5001, "no answer for 3000 ms"));
  CHECK_FALSE(t.lost("n1", 1, 5002, "again")); // Once.
  CHECK(t.find("n1")->state == node_state::lost);
  CHECK(t.find("n1")->lost_reason == "no answer for 3000 ms");
  CHECK(t.silent(99999, 3000).empty()); // Lost nodes are not silent.

  auto e2 = t.join("n1", "10.0.0.2:5001", {"chromium"}, 6000, replaced, error);
  REQUIRE(e2 == std::optional<uint64_t>{2});
  CHECK_FALSE(replaced); // The old link was already lost.
  auto& n1 = *t.find("n1");
  CHECK(n1.state == node_state::joined);
  CHECK(n1.rejoins == 1);
  CHECK(n1.lost_reason.empty());
  CHECK_FALSE(t.seen("n1", 1, 7000)); // Stale.
  CHECK_FALSE(t.lost("n1", 1, 7000, "old link closed"));
  CHECK(t.find("n1")->state == node_state::joined);
}

TEST_CASE("a join under a name that is still joined replaces the older link") {
  node_table t;
  std::optional<uint64_t> replaced;
  std::string error;
  REQUIRE(t.join("n1", "a", {}, 0, replaced, error));
  auto e2 = t.join("n1", "b", {"firefox"}, 10, replaced, error);
  CHECK(e2 == std::optional<uint64_t>{2});
  CHECK(replaced == std::optional<uint64_t>{1});
  CHECK(t.find("n1")->address == "b");
  CHECK(t.find("n1")->kinds == std::vector<std::string>{"firefox"});
  REQUIRE(t.join("n2", "c", {}, 10, replaced, error));
  CHECK(t.entries().size() == 2);
  CHECK_FALSE(t.join("bad name", "d", {}, 10, replaced, error));
  CHECK(t.entries().size() == 2);
}
