// What a connection counts of its requests for the health monitor: per
// platform, how many ran, how many failed and how fast the page answered.
// The monitor's canaries are not counted: they are no one's requests.
#include "actors/connection/state.hpp"
#include "actors/rules/canary.hpp"

namespace webaccel::connection {

size_t usage_index(browser_connection_state& st, std::string_view platform) {
  for (size_t i = 0; i < st.usage.size(); ++i)
    if (st.usage[i].platform == platform)
      return i;
  st.usage.push_back(platform_usage{std::string{platform}, 0, 0, {}});
  return st.usage.size() - 1;
}

void count_outcome(browser_connection_state& st, const infer_waiter& w,
                   double round_trip_ms, bool against_browser) {
  if (w.platform >= st.usage.size())
    return;
  auto& u = st.usage[w.platform];
  st.probe_out = false;
  if (round_trip_ms < 0) {
    u.failures++;
    st.failures++;
    if (against_browser)
      st.failures_in_a_row++;
  } else {
    u.round_trips.add(round_trip_ms);
    st.answered++;
    st.failures_in_a_row = 0;
  }
}

bool is_canary_key(const std::string& key) {
  auto n = std::char_traits<char>::length(canary_model_name);
  return key.size() > n && key.compare(0, n, canary_model_name) == 0
         && key[n] == '/';
}

} // namespace webaccel::connection
