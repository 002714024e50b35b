// A browser supervisor's children as a table of slots: a browser, or the
// place of one that waits out its restart backoff, with what the
// supervisor knows of it. Plain functions over the table answer the
// supervisor's questions (which browser is least loaded, which may take a
// model, which waits for a restart); they need no actor system.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "actors/rules/pool_rules.hpp"
#include "messages/interfaces.hpp"

namespace webaccel::supervisor {

enum class phase { launching, ready, draining, backoff };

/// One supervised child: a browser, or the place of one that waits out
/// its restart backoff.
struct slot {
  browser_connection_actor conn;
  phase state = phase::launching;
  /// When it was launched, on the actor clock.
  pool_clock::time_point started;
  /// Restarts in a row without a stable period in between.
  uint32_t consecutive_restarts = 0;
  /// Started again after a failure and not ready yet.
  bool restarting = false;
  /// Why we retire it (keep = not retiring).
  retire_reason retiring = retire_reason::keep;
  /// Models on it at the last check plus the ones handed out since.
  uint32_t load = 0;
  connection_stats last;
};

/// The slots by id (ids count up from 1).
using slot_table = std::map<uint64_t, slot>;

/// Browsers that count against the kind's size: all but the draining ones.
uint32_t live_count(const slot_table& slots);

/// Id of the slot whose browser connection is `addr`; 0 if none.
uint64_t find_slot(const slot_table& slots, const caf::actor_addr& addr);

/// The ready browser with the least load, or nullptr.
slot* least_loaded(slot_table& slots);

/// The ready browsers as candidates for a model: never one whose circuit
/// is open (as of the last check), nor one the asker found gone; healthy
/// if the monitor's score is at least `healthy_score`.
std::vector<browser_candidate> candidates(const slot_table& slots,
                                          const placement_hint& hint,
                                          double healthy_score = 0);

/// A slot whose browser failed and is waiting out its backoff (0 = none).
uint64_t slot_in_backoff(const slot_table& slots);

/// Whether a failed browser is being started again.
bool restart_launching(const slot_table& slots);

/// The kind's stats: `counters` and a line per browser.
kind_stats snapshot(const slot_table& slots, kind_stats counters,
                    const std::string& kind);

} // namespace webaccel::supervisor
