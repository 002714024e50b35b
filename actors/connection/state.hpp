// The browser connection's state and the steps its handlers share; private
// to actors/browser_connection.cpp and actors/connection/*.cpp. The request
// table (page_requests) and the classifier hold the
// decisions; these files wire them to the page, the browser and the clock.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <caf/all.hpp>

#include "actors/browser_connection.hpp"
#include "actors/rules/page_requests.hpp"
#include "config/log_rate_limit.hpp"
#include "transport/store/latency_histogram.hpp"

namespace webaccel {

namespace connection {

using clock_type = std::chrono::steady_clock;
using ms = std::chrono::milliseconds;

/// Deadline ids beside the loads' request ids (which count up from 1).
enum deadline_id : uint64_t {
  handshake = 0,
  /// Judge a closed bridge whose page process still looked alive.
  close_settled = UINT64_MAX - 2,
  /// The one timer that expires inference requests.
  infer_deadlines = UINT64_MAX - 1,
  /// A drain ran out of time.
  drain_deadline = UINT64_MAX,
};

/// How long the browser's processes get to show they are dying.
constexpr ms close_settle_time{300};

struct pending_load {
  caf::typed_response_promise<loaded_model> promise;
  std::string what;
  /// For the metrics: which model, variant and platform.
  std::string model;
  std::string precision;
  std::string platform;
};

/// Who waits for an inference, and the platform it runs on (an index into
/// the connection's `usage`; `not_counted` for the health monitor's
/// canaries, which are no one's requests).
struct infer_waiter {
  static constexpr size_t not_counted = SIZE_MAX;

  caf::typed_response_promise<page_result> promise;
  size_t platform = not_counted;

  template <class T>
  void deliver(T&& x) {
    promise.deliver(std::forward<T>(x));
  }
};

using infer_table = page_requests<infer_waiter>;

/// The requests of one platform: how many, how many failed, how fast.
struct platform_usage {
  std::string platform;
  uint64_t requests = 0;
  uint64_t failures = 0;
  latency_histogram round_trips;
};

} // namespace connection

struct browser_connection_state {
  static inline const char* name = "browser_connection";

  browser_connection_config cfg;
  std::string token;
  /// Shared with the blocking calls that stop or measure it.
  std::shared_ptr<browser_instance> browser;
  bridge_channel_ptr channel;
  std::optional<browser_capabilities> capabilities;
  std::vector<caf::typed_response_promise<browser_capabilities>> waiting;
  uint64_t next_id = 1;
  std::map<uint64_t, connection::pending_load> loads;
  connection::infer_table infers{{}};
  /// Models the page has loaded, by key.
  std::map<std::string, loaded_model> loaded;
  /// Model instances living here, by key (several instances may share one).
  std::map<std::string, std::set<model_actor>> tenants;
  /// Set once the connection failed; every later request fails with it.
  caf::error failure;
  /// Quit normally (a finished drain) rather than with `failure`.
  bool normal_exit = false;
  /// The browser is being stopped; shutdown requests wait for it here.
  bool stopping = false;
  std::vector<caf::typed_response_promise<bool>> shutdown_waiters;
  /// The browser's main process as launched (0: not a local process);
  /// `browser->pid()` turns 0 once it is reaped.
  pid_t launched_pid = 0;
  /// Why the bridge closed, while its browser's processes looked alive.
  std::string closed_why;
  /// Retiring: finish what is in flight, then quit; and why.
  bool draining = false;
  std::string retire_why;
  /// On the actor clock, like every time here.
  connection::clock_type::time_point launched;
  connection::clock_type::time_point last_activity;
  double cold_start_ms = 0;
  uint64_t requests = 0;
  uint64_t failures = 0;
  std::vector<connection::platform_usage> usage;
  /// The health monitor's last score for this browser.
  double health_score = 100;
  /// The last ping: its id, when it went out, and whether it was answered.
  uint64_t ping_id = 0;
  connection::clock_type::time_point ping_sent;
  bool ping_answered = true;
  double heartbeat_ms = 0;
  uint64_t page_heap_bytes = 0;
  /// The last memory sample of the browser's processes, when it was
  /// taken, and stats requests waiting for the one being taken. A sample
  /// younger than memory_max_age answers stats at once: reading /proc for
  /// every scrape and dashboard snapshot costs more than it tells.
  uint64_t process_bytes = 0;
  std::optional<connection::clock_type::time_point> memory_at;
  bool sampling = false;
  std::vector<caf::typed_response_promise<connection_stats>> stats_waiters;
  /// The circuit breaker is the health monitor's: it decides the state
  /// from the counts below, and the connection enforces it. While
  /// half-open, one probe at a time goes to the page.
  breaker_state breaker = breaker_state::closed;
  bool probe_out = false;
  uint32_t failures_in_a_row = 0;
  uint64_t answered = 0;
  /// The page is outside input: its protocol errors are logged sparingly.
  log_rate_limit protocol_log{5, std::chrono::seconds{10}};
};

namespace connection {

using self_ptr
  = browser_connection_actor::stateful_pointer<browser_connection_state>;

/// The usage entry of `platform`, added on first use.
size_t usage_index(browser_connection_state& st, std::string_view platform);

/// Counts an answer (`round_trip_ms`) or a failure (negative) of a request
/// on the platform its waiter names; a failure that is the browser's fault
/// (`against_browser`) also counts towards its circuit breaker.
void count_outcome(browser_connection_state& st, const infer_waiter& w,
                   double round_trip_ms, bool against_browser = true);

/// Whether a page key is the health monitor's canary (see
/// actors/rules/canary.hpp): its loads and inferences are not the host's.
bool is_canary_key(const std::string& key);

/// Milliseconds from `t` to now on the actor clock.
double ms_since(self_ptr self, clock_type::time_point t);

/// Runs `call` where blocking is allowed (see blocking_executor).
void run_blocking(self_ptr self, std::function<void()> call);

/// Logs that the page broke the protocol (at most a few lines a while).
void warn_protocol(self_ptr self, const std::string& what);

/// Fails everything pending with `err`, stops the browser and quits once
/// it is gone (normally for a finished drain).
void fail_everything(self_ptr self, caf::error err, bool normal = false);

/// A draining connection quits once nothing is in flight and every model
/// moved away.
void finish_drain_if_done(self_ptr self);

/// Pings the page, or fails the connection if the last ping went
/// unanswered for too long.
void heartbeat(self_ptr self);

/// Takes a memory sample of the browser's processes, unless one is under
/// way; the answer comes as a memory_atom message. False if there is
/// nothing to measure here (no local process).
bool sample_memory(self_ptr self);

/// Looks (off the actor's thread) whether the page's processes are gone;
/// the answer comes as a scanned_atom message.
void scan_page_processes(self_ptr self, bool settled);

/// Records in the metrics sink that the page is ready...
void record_ready(self_ptr self);

/// ...that the connection ended, and why...
void record_end(self_ptr self);

/// ...and how a load went (`loaded` null: it failed with `err`).
void record_load(self_ptr self, const pending_load& load,
                 const loaded_model* loaded, const caf::error& err);

/// Launches the browser on a page URL with a fresh one-time token.
void launch(self_ptr self);

/// Sends a request to the page, or holds it while the page is busy.
void send_or_hold(self_ptr self, uint64_t id, infer_waiter waiter,
                  std::vector<uint8_t> frame, clock_type::time_point deadline);

/// Sends the held requests that may go now.
void send_held(self_ptr self);

/// Fails the requests past their deadline and arms the timer for the next.
void expire_infers(self_ptr self);

/// A text frame (control message) from the page.
void on_text(self_ptr self, const std::string& frame);

/// A binary message (a result, or a bundle of frames) from the page.
void on_binary(self_ptr self, const std::vector<uint8_t>& message);

/// The connection's health and usage.
connection_stats make_stats(self_ptr self);

} // namespace connection

} // namespace webaccel
