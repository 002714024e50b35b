#include "actors/pool/nodes.hpp"

#include <doctest/doctest.h>

using namespace webaccel;

namespace {

node_source node(const std::string& name, uint64_t epoch,
                 std::vector<std::string> kinds) {
  return {name, epoch, name + ".lab", {}, std::move(kinds)};
}

} // namespace

TEST_CASE("the pool's nodes: who offers a kind, a loss, a stale loss, a "
          "rejoin") {
  node_sources nodes;
  CHECK(nodes.empty());
  nodes.join(node("n1", 1, {"chromium"}));
  nodes.join(node("n2", 1, {"chromium", "firefox"}));
  CHECK(nodes.offering("chromium").size() == 2);
  REQUIRE(nodes.offering("firefox").size() == 1);
  CHECK(nodes.offering("firefox")[0].name == "n2");
  CHECK(nodes.offering("edge").empty());
  CHECK(nodes.lose("n1", 1, "its link ended: remote_link_unreachable"));
  CHECK_FALSE(nodes.lose("n1", 1, "again"));
  CHECK(nodes.offering("chromium").size() == 1);
  nodes.join(node("n1", 2, {"chromium"}));
  // The old link's end, reported late, does not drop the new one.
  CHECK_FALSE(nodes.lose("n1", 1, "late"));
  CHECK(nodes.offering("chromium").size() == 2);
  auto book = nodes.book();
  REQUIRE(book.size() == 2);
  CHECK(book[0].name == "n1");
  CHECK(book[0].state == "joined");
  CHECK(book[0].epoch == 2);
  CHECK(book[0].rejoins == 1);
  CHECK(book[0].lost_reason == "its link ended: remote_link_unreachable");
  CHECK(book[0].address == "n1.lab");
  CHECK(nodes.lose("n2", 1, "cut off"));
  book = nodes.book();
  CHECK(book[1].state == "lost");
  CHECK(book[1].lost_reason == "cut off");
  CHECK(nodes.joined().size() == 1);
}

TEST_CASE("a node's health joins the head's: browsers named by node, counters "
          "added, per platform the slower percentiles") {
  health_report head;
  head.enabled = true;
  head.browsers.push_back({});
  head.browsers[0].kind = "chromium";
  head.platforms.push_back({"wasm", 10, 1, 2.0, 9.0});
  head.recycled = 1;
  head.canaries = 4;
  health_report theirs;
  theirs.enabled = true;
  theirs.browsers.push_back({});
  theirs.browsers[0].kind = "firefox";
  theirs.platforms.push_back({"wasm", 5, 0, 3.0, 6.0});
  theirs.platforms.push_back({"webgpu", 7, 2, 1.0, 2.0});
  theirs.recycled = 2;
  theirs.canaries = 3;
  theirs.canary_failures = 1;
  merge_health(head, theirs, "n1");
  REQUIRE(head.browsers.size() == 2);
  CHECK(head.browsers[0].node == "local");
  CHECK(head.browsers[1].node == "n1");
  CHECK(head.browsers[1].kind == "firefox");
  REQUIRE(head.platforms.size() == 2);
  CHECK(head.platforms[0].requests == 15);
  CHECK(head.platforms[0].failures == 1);
  CHECK(head.platforms[0].latency_p50_ms == 3.0);
  CHECK(head.platforms[0].latency_p99_ms == 9.0);
  CHECK(head.platforms[1].platform == "webgpu");
  CHECK(head.recycled == 3);
  CHECK(head.canaries == 7);
  CHECK(head.canary_failures == 1);
}
