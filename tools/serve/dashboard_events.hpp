// The dashboard's "recent events": what changed in the pool between two
// snapshots of its counters (browsers launched, failed, restarted,
// retired; failures recovery handled and how the cases ended; the
// runtime's own actors restarted), newest last, the last `keep` of them.
#pragma once

#include <cstdint>
#include <deque>
#include <string>

#include "messages/pool_stats.hpp"

namespace webaccel {

struct dashboard_event {
  int64_t at_ms = 0;
  /// "browser", "recovery" or "runtime".
  std::string kind;
  std::string text;
};

class dashboard_events {
public:
  explicit dashboard_events(size_t keep = 50) : keep_(keep) {
    // nop
  }

  /// Adds what changed since the last call (nothing on the first).
  void update(const pool_stats& now, int64_t now_ms);

  const std::deque<dashboard_event>& recent() const {
    return events_;
  }

private:
  void add(int64_t at_ms, const char* kind, std::string text);

  size_t keep_;
  bool first_ = true;
  pool_stats last_;
  std::deque<dashboard_event> events_;
};

} // namespace webaccel
