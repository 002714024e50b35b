// Every typed-actor interface of webaccel, with one line per handler. Read
// this file to know who can ask whom for what.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "messages/atoms.hpp"
#include "messages/bridge_channel.hpp"
#include "messages/capabilities.hpp"
#include "messages/error.hpp"
#include "messages/health_report.hpp"
#include "messages/inference.hpp"
#include "messages/metrics_summary.hpp"
#include "messages/model.hpp"
#include "messages/node.hpp"
#include "messages/pool_stats.hpp"
#include "messages/recovery.hpp"

// A channel is a local pointer to a Beast session; it never leaves the
// process, so CAF need not know how to serialize it.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(webaccel::bridge_channel_ptr)

namespace webaccel {

/// One loaded model instance.
using model_actor = caf::typed_actor<
  // Runs an inference and answers with outputs and provenance.
  caf::replies_to<infer_atom, infer_request>::with<infer_result>,
  // Its browser is being retired (why); move to another browser now (true)
  // or on the next request (false).
  caf::reacts_to<drain_atom, std::string, bool>,
  // Time to see whether it was idle long enough to release its browser.
  caf::reacts_to<check_atom>,
  // The batch numbered so has waited its max_delay_ms: send it.
  caf::reacts_to<flush_atom, uint64_t>,
  // Unloads and quits.
  caf::replies_to<shutdown_atom>::with<bool>>;

/// The part of a browser connection that transport delivers bridge events to.
using bridge_peer_actor = caf::typed_actor<
  // The page opened the bridge with this connection's token.
  caf::reacts_to<opened_atom, bridge_channel_ptr>,
  // A JSON control frame arrived from the page.
  caf::reacts_to<text_atom, std::string>,
  // A binary tensor frame arrived from the page.
  caf::reacts_to<binary_atom, std::vector<uint8_t>>,
  // The WebSocket closed; the string says why.
  caf::reacts_to<closed_atom, std::string>>;

/// One browser process and the page it runs.
using browser_connection_actor = bridge_peer_actor::extend<
  // Answers once the page said hello, with its probed capabilities.
  caf::replies_to<ready_atom>::with<browser_capabilities>,
  // Loads a model on a platform ("webgpu", "webnn", "wasm").
  caf::replies_to<load_atom, model_spec, std::string>::with<loaded_model>,
  // Runs an inference on the loaded model with this key.
  caf::replies_to<infer_atom, std::string,
                  page_infer_request>::with<page_result>,
  // The browser process exited (status as waitpid gave it, description).
  caf::reacts_to<exited_atom, int32_t, std::string>,
  // Its processes are stopped and reaped: quit now.
  caf::reacts_to<stopped_atom>,
  // Whether the page's processes are gone, for a closed bridge; whether
  // this is the second look (after a moment to die).
  caf::reacts_to<scanned_atom, bool, bool>,
  // The browser's processes use this many bytes (PSS).
  caf::reacts_to<memory_atom, uint64_t>,
  // A deadline for the request with this id (0 = handshake) passed.
  caf::reacts_to<deadline_atom, uint64_t>,
  // Time to ping the page.
  caf::reacts_to<heartbeat_atom>,
  // A model instance with this key now lives here...
  caf::reacts_to<attach_atom, std::string, model_actor>,
  // ...and left (the page unloads the key when its last instance left).
  caf::reacts_to<detach_atom, std::string, model_actor>,
  // Retire this browser (why; whether its models should move at once):
  // finish what is in flight, then quit.
  caf::reacts_to<drain_atom, std::string, bool>,
  // Health and usage.
  caf::replies_to<stats_atom>::with<connection_stats>,
  // The health monitor's score for this browser (its stats show it, and
  // placement prefers the healthy) and the state of its circuit breaker
  // (which the connection enforces).
  caf::reacts_to<health_atom, double, breaker_state>,
  // The monitor found it sick: fail what is in flight with this error
  // category (an errc) so that it recovers elsewhere, stop, and quit.
  caf::reacts_to<recycle_atom, uint8_t, std::string>,
  // Tests: injects a fault if this browser's process id is the one given
  // (see runtime::inject_fault); false if it is not, or faults are off.
  caf::replies_to<fault_atom, int32_t, std::string, uint32_t>::with<bool>,
  // Kills the browser, fails what is in flight, then quits.
  caf::replies_to<shutdown_atom>::with<bool>>;

/// Keeps the browsers of one kind running (one-for-one, with backoff and a
/// restart intensity limit) and hands out ready connections.
using browser_supervisor_actor = caf::typed_actor<
  // A ready connection. To place a model on: one that has it loaded (warm),
  // else an idle one within the memory budget, else a new one, else the
  // least loaded within the budget (see choose_browser). To look at
  // (placing false): any.
  caf::replies_to<connect_atom, placement_hint>::with<browser_connection_actor>,
  // What connect would choose now, without choosing it: for the pool to
  // compare with its nodes' bids.
  caf::replies_to<bid_atom, placement_hint>::with<placement_bid>,
  // Time to check the browsers against the pool policy.
  caf::reacts_to<check_atom>,
  // A backoff ended: start the browser of this slot again.
  caf::reacts_to<restart_atom, uint64_t>,
  caf::replies_to<stats_atom>::with<kind_stats>,
  // The ready browsers, for the health monitor to look at.
  caf::replies_to<list_atom>::with<std::vector<browser_connection_actor>>,
  // The monitor found this browser sick: retire it at once, failing what
  // is in flight with this error category (an errc), and start another.
  caf::reacts_to<recycle_atom, browser_connection_actor, uint8_t, std::string>,
  // Tests: forwards a fault to the browser with this process id.
  caf::replies_to<fault_atom, int32_t, std::string, uint32_t>::with<bool>,
  // Stops every browser of this kind, then quits.
  caf::replies_to<shutdown_atom>::with<bool>>;

/// A failure to recover from.
struct recovery_case {
  /// 0 opens a case; else the step of this case that was tried failed too.
  uint64_t id = 0;
  /// The model and the host's preferences.
  model_request request;
  /// Where it failed: the placement, its connection (if it still lives)
  /// and what that browser probed.
  placement_target failed;
  browser_connection_actor connection;
  browser_capabilities browser;
  /// The error category (an errc) and what happened.
  uint8_t category = 0;
  std::string error;
  /// True while placing the model (the load is the test of a step); false
  /// for a running instance (its next answer is).
  bool loading = false;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, recovery_case& x) {
  return f(caf::meta::type_name("recovery_case"), x.id, x.request, x.failed,
           x.connection, x.browser, x.category, x.error, x.loading);
}

/// The next placement a recovery tries: the strategy, where, and the
/// loaded model there.
struct recovery_step {
  uint64_t id = 0;
  std::string strategy;
  placement_target target;
  browser_connection_actor connection;
  browser_capabilities browser;
  loaded_model loaded;
  /// The variant it runs (a recovery may pick another precision).
  model_spec spec;
  /// For provenance: what failed and how this step came about.
  std::string why;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, recovery_step& x) {
  return f(caf::meta::type_name("recovery_step"), x.id, x.strategy, x.target,
           x.connection, x.browser, x.loaded, x.spec, x.why);
}

/// Walks each failure category's strategy chain (DESIGN.md) for model
/// instances and the router, and counts what it did.
using recovery_supervisor_actor = caf::typed_actor<
  // A failure, or the failure of a case's last step: answers with the next
  // placement to try, or with the typed error once the chain is exhausted.
  caf::replies_to<recover_atom, recovery_case>::with<recovery_step>,
  // The last step of this case worked (true), or its model gave up (false).
  caf::reacts_to<recovered_atom, uint64_t, bool>,
  // A retry's backoff ended: try this case's placement again.
  caf::reacts_to<restart_atom, uint64_t>,
  // Counters: cases, attempts, outcomes per strategy, time to recover.
  caf::replies_to<stats_atom>::with<recovery_stats>,
  // Fails the cases under way, then quits.
  caf::replies_to<shutdown_atom>::with<bool>>;

/// Aggregates what the runtime records (transport/store's metrics sink)
/// and writes it to the metrics DB, off the request path.
using metrics_store_actor = caf::typed_actor<
  // The live figures since the runtime started, and the store's status.
  caf::replies_to<metrics_atom>::with<metrics_summary>,
  // Time to write what the sink holds (its own timer).
  caf::reacts_to<flush_atom>,
  // Writes what is left, stamps the run's end, then quits.
  caf::replies_to<shutdown_atom>::with<bool>>;

/// Watches every browser: samples its stats, runs canary inferences on each
/// of its platforms, scores it, and has the sick ones recycled.
using health_monitor_actor = caf::typed_actor<
  // Time to look at the browsers (its own timer, every interval_ms).
  caf::reacts_to<check_atom>,
  // What it knows, for runtime::health(). (It holds nothing that needs an
  // orderly stop: the root ends it with an exit message.)
  caf::replies_to<health_atom>::with<health_report>>;

/// Places models on browsers and caches model instances.
using router_actor = caf::typed_actor<
  // Returns a loaded model instance for the request (cached per request).
  caf::replies_to<get_atom, model_request>::with<model_actor>,
  // Forgets an instance and stops it (its page sessions are released);
  // false if it was not cached.
  caf::replies_to<unload_atom, model_actor>::with<bool>,
  // An instance released its browser after being idle (counted).
  caf::reacts_to<evicted_atom>,
  // Cache counters.
  caf::replies_to<stats_atom>::with<model_cache_stats>,
  // Stops every model instance, then quits.
  caf::replies_to<shutdown_atom>::with<bool>>;

/// The head's door for webaccel nodes, published on its node port: a node
/// says hello with its name and nonce, checks the head's proof, then joins
/// with its own (see transport/net/node_auth.hpp).
using node_registry_actor = caf::typed_actor<
  caf::replies_to<hello_atom, std::string, std::string>::with<node_challenge>,
  // Answers with the node's epoch, or an error saying why it may not join.
  caf::replies_to<join_atom, node_offer>::with<uint64_t>,
  // Forgets its nodes and quits.
  caf::replies_to<shutdown_atom>::with<bool>>;

/// Root of the actor tree: supervises the router, the recovery supervisor
/// and the browser supervisors (one-for-one, MaxR in MaxT).
using pool_supervisor_actor = caf::typed_actor<
  // Returns a browser connection of this kind that finished its handshake,
  // to place a model on or only to look at (see placement_hint).
  caf::replies_to<connect_atom, std::string,
                  placement_hint>::with<browser_connection_actor>,
  // What this runtime's own browsers of a kind bid for a model (a node's
  // pool answers its head with it; see choose_source).
  caf::replies_to<bid_atom, std::string, placement_hint>::with<placement_bid>,
  // The node registry let a node join (name, epoch, where from, its pool,
  // its kinds): its browsers take part in placement...
  caf::reacts_to<joined_atom, std::string, uint64_t, std::string, caf::actor,
                 std::vector<std::string>>,
  // ...until it is lost (name, epoch, why).
  caf::reacts_to<lost_atom, std::string, uint64_t, std::string>,
  // Forwards to the router.
  caf::replies_to<get_atom, model_request>::with<model_actor>,
  // Forgets a model instance and stops it (see router_actor).
  caf::replies_to<unload_atom, model_actor>::with<bool>,
  // Forwards to the recovery supervisor (whichever runs now), for model
  // instances and the router...
  caf::replies_to<recover_atom, recovery_case>::with<recovery_step>,
  caf::reacts_to<recovered_atom, uint64_t, bool>,
  // ...and to the router: an instance released its browser when idle.
  caf::reacts_to<evicted_atom>,
  // The router cached an instance under this key; the root keeps a copy
  // for a router it starts again...
  caf::reacts_to<cached_atom, std::string, model_actor>,
  // ...and forgets it when the router does.
  caf::reacts_to<uncached_atom, std::string>,
  // A browser supervisor asks for room for one more browser of its kind
  // (max_connections over all kinds)...
  caf::replies_to<acquire_atom, std::string>::with<bool>,
  // ...and returns it.
  caf::reacts_to<release_atom, std::string>,
  caf::replies_to<stats_atom>::with<pool_stats>,
  // Every ready browser of every kind, for the health monitor...
  caf::replies_to<list_atom>::with<std::vector<browser_connection_actor>>,
  // ...which has sick ones recycled by their supervisor through here.
  caf::reacts_to<recycle_atom, browser_connection_actor, uint8_t, std::string>,
  // Forwards to the health monitor.
  caf::replies_to<health_atom>::with<health_report>,
  // Forwards to the metrics store.
  caf::replies_to<metrics_atom>::with<metrics_summary>,
  // Tests: injects a fault into the browser with this process id (false if
  // none has it, or the runtime was not started with fault injection); with
  // pid 0, "kill-router", "kill-recovery", "kill-metrics" and "kill-health"
  // kill that child of the root.
  caf::replies_to<fault_atom, int32_t, std::string, uint32_t>::with<bool>,
  // Stops the whole tree; answers when every browser is gone.
  caf::replies_to<shutdown_atom>::with<bool>>;

} // namespace webaccel
