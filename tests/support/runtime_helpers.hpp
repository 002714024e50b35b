// Small questions integration tests ask a live runtime.
#pragma once

#include <sys/types.h>

#include "actors/runtime.hpp"

namespace webaccel::test {

/// Preferences that run a model on WASM only.
inline hardware_preferences wasm_only() {
  hardware_preferences p;
  p.priority_list = {"wasm"};
  return p;
}

/// Main pid of the first ready browser, 0 if none.
inline pid_t ready_browser_pid(runtime& rt) {
  for (auto& k : rt.stats().kinds)
    for (auto& c : k.connections)
      if (c.state == "ready" && c.pid != 0)
        return c.pid;
  return 0;
}

} // namespace webaccel::test
