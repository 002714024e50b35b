#include "actors/node_registry.hpp"

#include <memory>
#include <vector>

#include <doctest/doctest.h>

#include "tests/support/deterministic_fixture.hpp"
#include "transport/net/node_auth.hpp"

using namespace webaccel;
using namespace webaccel::test;

namespace {

const std::string secret = "a secret both sides hold";

/// The registry with a head's pool that writes down what it is told, and
/// a node's pool to offer (and kill, for a lost link).
struct registry_fixture : deterministic_fixture {
  std::shared_ptr<std::vector<std::string>> told
    = std::make_shared<std::vector<std::string>>();
  caf::actor head_pool = sys.spawn([t = told]() -> caf::behavior {
    return {
      [=](joined_atom, const std::string& name, uint64_t epoch,
          const std::string& host, const caf::actor&,
          const std::vector<std::string>& kinds) {
        t->push_back("joined " + name + " " + std::to_string(epoch) + " from "
                     + host + " with " + kinds.at(0));
      },
      [=](lost_atom, const std::string& name, uint64_t epoch,
          const std::string& why) {
        t->push_back("lost " + name + " " + std::to_string(epoch) + ": " + why);
      },
    };
  });
  node_registry_actor registry = spawn_node_registry(
    sys, {secret, caf::actor_cast<pool_supervisor_actor>(head_pool)});

  static caf::behavior idle_pool() {
    return {[](int) {}};
  }

  ~registry_fixture() {
    self->send_exit(registry, caf::exit_reason::kill);
    self->send_exit(head_pool, caf::exit_reason::kill);
  }

  node_challenge hello(const std::string& name, const std::string& nonce,
                       caf::error* err = nullptr) {
    node_challenge out;
    auto h = self->request(registry, caf::infinite, hello_atom::value, name,
                           nonce);
    receive(
      h, [&](node_challenge& x) { out = x; },
      [&](caf::error& e) {
        if (err)
          *err = e;
        else
          FAIL(render_error(e));
      });
    return out;
  }

  /// A node's offer after its hello, proved with `with_secret`.
  node_offer offer(const std::string& name, const caf::actor& pool,
                   const std::string& with_secret = secret) {
    node_offer o;
    o.name = name;
    o.host = name + ".lab";
    o.node_nonce = make_node_nonce();
    auto ch = hello(name, o.node_nonce);
    CHECK(node_proof_matches(ch.head_proof, secret, node_role::head,
                             ch.head_nonce, o.node_nonce, name));
    o.head_nonce = ch.head_nonce;
    o.proof = node_proof(with_secret, node_role::node, o.node_nonce,
                         ch.head_nonce, name);
    o.kinds = {"chromium"};
    o.pool = pool;
    return o;
  }

  /// The join's epoch, or 0 and the error in `err`.
  uint64_t join(const node_offer& o, std::string* err = nullptr) {
    uint64_t epoch = 0;
    auto h = self->request(registry, caf::infinite, join_atom::value, o);
    receive(
      h, [&](uint64_t x) { epoch = x; },
      [&](caf::error& e) {
        if (err)
          *err = render_error(e);
      });
    return epoch;
  }
};

} // namespace

TEST_CASE_FIXTURE(registry_fixture,
                  "a node that proves the secret joins; its pool's down is "
                  "the node lost") {
  auto pool = sys.spawn(idle_pool);
  CHECK(join(offer("n1", pool)) == 1);
  run();
  REQUIRE(told->size() == 1);
  CHECK(told->at(0) == "joined n1 1 from n1.lab with chromium");
  self->send_exit(pool, caf::exit_reason::kill);
  run();
  REQUIRE(told->size() == 2);
  CHECK(told->at(1) == "lost n1 1: its link ended: exit_reason(kill)");
}

TEST_CASE_FIXTURE(registry_fixture,
                  "the wrong secret, a replayed join and a bad hello are "
                  "refused, each saying why") {
  auto pool = sys.spawn(idle_pool);
  std::string err;
  auto bad = offer("n1", pool, "another secret entirely");
  CHECK(join(bad, &err) == 0);
  CHECK(err
        == "protocol_violation: node 'n1' may not join: its proof does not "
           "match (is the shared secret the same on both sides?)");
  // Each hello serves one join, even one that failed.
  auto good = bad;
  good.proof = node_proof(secret, node_role::node, good.node_nonce,
                          good.head_nonce, "n1");
  CHECK(join(good, &err) == 0);
  CHECK(err
        == "protocol_violation: node 'n1' may not join: no hello of this "
           "name and nonce waits for a join");
  auto fresh = offer("n1", pool);
  CHECK(join(fresh) == 1);
  CHECK(join(fresh, &err) == 0); // Replayed.
  CHECK(err.find("no hello of this name and nonce") != std::string::npos);
  // Another name for the same hello is refused too.
  auto other = offer("n2", pool);
  other.name = "n3";
  CHECK(join(other, &err) == 0);
  caf::error e;
  hello("n1", "not hex", &e);
  CHECK(render_error(e)
        == "protocol_violation: node n1: its nonce is not 64 hex digits");
  hello("a b", make_node_nonce(), &e);
  CHECK(render_error(e)
        == "invalid_request: node hello: a node name may hold letters, "
           "digits, '.', '_' and '-' only: 'a b'");
  run();
  CHECK(told->size() == 1); // Only the one good join.
  self->send_exit(pool, caf::exit_reason::kill);
}

TEST_CASE_FIXTURE(registry_fixture,
                  "a name that joins again replaces its older link, whose "
                  "end is then no loss") {
  auto old_pool = sys.spawn(idle_pool);
  auto new_pool = sys.spawn(idle_pool);
  CHECK(join(offer("n1", old_pool)) == 1);
  CHECK(join(offer("n1", new_pool)) == 2);
  self->send_exit(old_pool, caf::exit_reason::kill);
  run();
  REQUIRE(told->size() == 2);
  CHECK(told->at(1) == "joined n1 2 from n1.lab with chromium");
  self->send_exit(new_pool, caf::exit_reason::kill);
  run();
  REQUIRE(told->size() == 3);
  CHECK(told->at(2).rfind("lost n1 2: ", 0) == 0);
}
