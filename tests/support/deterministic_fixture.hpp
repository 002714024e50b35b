// A CAF actor system on the deterministic test scheduler, for actor tests
// that read like sequence diagrams: send, run(), then look at the answers.
// No sleeps, no threads of its own; timeouts fire only when triggered.
#pragma once

#include <caf/all.hpp>
#include <caf/scheduler/test_coordinator.hpp>

#include "messages/type_ids.hpp"

namespace webaccel::test {

inline caf::actor_system_config&
deterministic_config(caf::actor_system_config& cfg) {
  cfg.set("scheduler.policy", caf::atom("testing"));
  cfg.set("logger.file-verbosity", caf::atom("quiet"));
  cfg.add_message_types<caf::id_block::webaccel>();
  return cfg;
}

struct deterministic_fixture {
  deterministic_fixture()
    : sys(deterministic_config(cfg)),
      sched(dynamic_cast<caf::scheduler::test_coordinator&>(sys.scheduler())),
      self(sys, true) {
    // nop
  }

  ~deterministic_fixture() {
    run();
  }

  /// Runs every actor until no message is left (timeouts not included).
  void run() {
    sched.run();
  }

  /// Fires every pending timeout (deadlines), then runs again.
  void trigger_timeouts() {
    sched.trigger_timeouts();
    run();
  }

  /// Receives the response to `handle` that run() already produced.
  template <class Handle, class... Fs>
  void receive(Handle& handle, Fs... fs) {
    run();
    handle.receive(std::move(fs)...);
  }

  caf::actor_system_config cfg;
  caf::actor_system sys;
  caf::scheduler::test_coordinator& sched;
  caf::scoped_actor self;
};

} // namespace webaccel::test
