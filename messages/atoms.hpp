// Every atom webaccel's actors exchange. CAF 0.17 atoms hold at most ten
// characters; the same text names the same atom type everywhere.
#pragma once

#include <caf/atom.hpp>

namespace webaccel {

// -- requests between actors --------------------------------------------------

/// Asks the router for a model instance.
using get_atom = caf::atom_constant<caf::atom("get")>;
/// Runs an inference.
using infer_atom = caf::atom_constant<caf::atom("infer")>;
/// Loads a model into a browser page.
using load_atom = caf::atom_constant<caf::atom("load")>;
/// Asks the pool for a ready browser connection of a kind.
using connect_atom = caf::atom_constant<caf::atom("connect")>;
/// Waits until a browser connection finished its handshake.
using ready_atom = caf::atom_constant<caf::atom("ready")>;
/// Asks an actor for a snapshot of its statistics.
using stats_atom = caf::atom_constant<caf::atom("stats")>;
/// Asks an actor to stop what it owns and quit.
using shutdown_atom = caf::atom_constant<caf::atom("shutdown")>;

// -- the browser pool ---------------------------------------------------------

/// A model instance tells its connection it lives there (and is told to
/// move when the browser is retired).
using attach_atom = caf::atom_constant<caf::atom("attach")>;
/// A model instance left its connection; the page unloads it.
using detach_atom = caf::atom_constant<caf::atom("detach")>;
/// A browser is being retired: finish what is in flight, take no more.
using drain_atom = caf::atom_constant<caf::atom("drain")>;
/// A browser supervisor asks the pool for room for one more browser...
using acquire_atom = caf::atom_constant<caf::atom("acquire")>;
/// ...and gives it back when that browser is gone.
using release_atom = caf::atom_constant<caf::atom("release")>;

// -- events from transport to a browser connection ----------------------------

/// A page opened the bridge WebSocket with this connection's token.
using opened_atom = caf::atom_constant<caf::atom("opened")>;
/// A text (JSON control) frame arrived from the page.
using text_atom = caf::atom_constant<caf::atom("text")>;
/// A binary (tensor) frame arrived from the page.
using binary_atom = caf::atom_constant<caf::atom("binary")>;
/// The bridge WebSocket closed.
using closed_atom = caf::atom_constant<caf::atom("closed")>;
/// The browser's process exited.
using exited_atom = caf::atom_constant<caf::atom("exited")>;

// -- results of blocking calls (run off the actor's thread) ------------------

/// A browser's processes are stopped and reaped.
using stopped_atom = caf::atom_constant<caf::atom("stopped")>;
/// A /proc scan for a closed bridge's page process came back.
using scanned_atom = caf::atom_constant<caf::atom("scanned")>;
/// A sample of a browser's memory came back.
using memory_atom = caf::atom_constant<caf::atom("memory")>;

// -- timers -------------------------------------------------------------------

/// A deadline of a request (by id) or of the handshake (id 0) passed.
using deadline_atom = caf::atom_constant<caf::atom("deadline")>;
/// Time to ping the page (and check that it answered the last ping).
using heartbeat_atom = caf::atom_constant<caf::atom("heartbeat")>;
/// Time to check the pool's browsers against its policy.
using check_atom = caf::atom_constant<caf::atom("check")>;
/// A crashed browser's backoff is over: start it again.
using restart_atom = caf::atom_constant<caf::atom("restart")>;
/// A host unloads a model instance.
using unload_atom = caf::atom_constant<caf::atom("unload")>;
/// A model instance sends the batch it gathered.
using flush_atom = caf::atom_constant<caf::atom("flush")>;
/// A model instance released its browser after being idle.
using evicted_atom = caf::atom_constant<caf::atom("evicted")>;
/// The router tells the root it cached a model instance (under a key)...
using cached_atom = caf::atom_constant<caf::atom("cached")>;
/// ...or forgot it.
using uncached_atom = caf::atom_constant<caf::atom("uncached")>;

// -- recovery -----------------------------------------------------------------

/// A model instance or the router reports a failure to recover from.
using recover_atom = caf::atom_constant<caf::atom("recover")>;
/// A model instance reports how the last recovery step went.
using recovered_atom = caf::atom_constant<caf::atom("recovered")>;
/// Asks for get_metrics()'s figures.
using metrics_atom = caf::atom_constant<caf::atom("metrics")>;
/// Tests inject a fault into a browser (only where the runtime allows it).
using fault_atom = caf::atom_constant<caf::atom("fault")>;

// -- health -------------------------------------------------------------------

/// Asks for runtime::health()'s report; to a connection, carries the score
/// the monitor gave it.
using health_atom = caf::atom_constant<caf::atom("health")>;
/// The monitor found a browser sick: recycle it now.
using recycle_atom = caf::atom_constant<caf::atom("recycle")>;
/// Asks for the browser connections to look at.
using list_atom = caf::atom_constant<caf::atom("list")>;

// Nodes: a node's hello and join, the head's news of a node joined or
// lost, and a bid for a model's placement.
using hello_atom = caf::atom_constant<caf::atom("hello")>;
using join_atom = caf::atom_constant<caf::atom("join")>;
using joined_atom = caf::atom_constant<caf::atom("joined")>;
using lost_atom = caf::atom_constant<caf::atom("lost")>;
using bid_atom = caf::atom_constant<caf::atom("bid")>;

} // namespace webaccel
