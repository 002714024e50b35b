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
#include "messages/inference.hpp"
#include "messages/model.hpp"
#include "messages/pool_stats.hpp"

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
  caf::replies_to<infer_atom, std::string, infer_request>::with<page_result>,
  // The browser process exited (status as waitpid gave it, description).
  caf::reacts_to<exited_atom, int32_t, std::string>,
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
  // Time to check the browsers against the pool policy.
  caf::reacts_to<check_atom>,
  // A backoff ended: start the browser of this slot again.
  caf::reacts_to<restart_atom, uint64_t>, caf::replies_to<stats_atom>::with<kind_stats>,
  // Stops every browser of this kind, then quits.
  caf::replies_to<shutdown_atom>::with<bool>>;

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

/// Root of the actor tree: owns the router and the browser connections.
using pool_supervisor_actor = caf::typed_actor<
  // Returns a browser connection of this kind that finished its handshake,
  // to place a model on or only to look at (see placement_hint).
  caf::replies_to<connect_atom, std::string, placement_hint>::with<browser_connection_actor>,
  // Forwards to the router.
  caf::replies_to<get_atom, model_request>::with<model_actor>,
  // Forgets a model instance and stops it (see router_actor).
  caf::replies_to<unload_atom, model_actor>::with<bool>,
  // A browser supervisor asks for room for one more browser of its kind
  // (max_connections over all kinds)...
  caf::replies_to<acquire_atom, std::string>::with<bool>,
  // ...and returns it.
  caf::reacts_to<release_atom, std::string>, caf::replies_to<stats_atom>::with<pool_stats>,
  // Stops the whole tree; answers when every browser is gone.
  caf::replies_to<shutdown_atom>::with<bool>>;

} // namespace webaccel
