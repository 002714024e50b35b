#include "transport/store/inference_rollup.hpp"

#include <algorithm>
#include <cmath>

namespace webaccel {

void rollup_row::add(const inference_event& e) {
  requests++;
  if (e.first_of_batch)
    batches++;
  if (e.simulated)
    simulated++;
  if (!e.ok) {
    failures++;
    failed_by[e.category.empty() ? "unknown" : e.category]++;
    return;
  }
  total_ms += e.total_ms;
  queue_ms += e.queue_ms;
  transfer_ms += e.transfer_ms;
  compute_ms += e.compute_ms;
  max_ms = std::max(max_ms, e.total_ms);
  latency.add(e.total_ms);
}

void rollup_row::merge(const rollup_row& other) {
  requests += other.requests;
  failures += other.failures;
  batches += other.batches;
  simulated += other.simulated;
  total_ms += other.total_ms;
  queue_ms += other.queue_ms;
  transfer_ms += other.transfer_ms;
  compute_ms += other.compute_ms;
  max_ms = std::max(max_ms, other.max_ms);
  latency.merge(other.latency);
  for (auto& [category, n] : other.failed_by)
    failed_by[category] += n;
}

void add_to_rollup(rollup_table& table, const inference_event& e,
                   bool by_second) {
  rollup_key key{by_second ? static_cast<int64_t>(std::floor(e.at)) : 0,
                 e.model, e.browser, e.platform};
  table[key].add(e);
}

} // namespace webaccel
