// The model instance's state and the steps its handlers share; private to
// actors/model.cpp and actors/model/*.cpp: requests.cpp sends requests and
// answers hosts, moves.cpp moves the instance between browsers,
// recovery.cpp parks failed requests and follows the recovery supervisor.
// The decisions live in actors/rules (batch_gatherer, idle_release).
#pragma once

#include <chrono>
#include <map>
#include <vector>

#include <caf/all.hpp>

#include "actors/model.hpp"
#include "actors/rules/batch_gatherer.hpp"
#include "actors/rules/idle_release.hpp"

namespace webaccel::model_detail {

using clock_type = std::chrono::steady_clock;
using ms = std::chrono::milliseconds;

/// A host waiting for its answer.
struct waiter {
  caf::typed_response_promise<infer_result> promise;
  clock_type::time_point arrived;
};

/// A request on its way to the page: the message is built once and can be
/// sent again without copying its tensors. A batch has one waiter per
/// request it carries.
struct outgoing {
  /// (infer_atom, key, page_infer_request)
  caf::message msg;
  std::vector<waiter> waiters;
  /// Times it was sent again after a failure.
  uint32_t redispatches = 0;
};

/// A request at a page: where it went and what it ran with.
struct sent_request {
  caf::actor_addr connection;
  provenance origin;
  outgoing request;
  bool resent = false;
};

/// Where the instance stands in a recovery: none under way; waiting for
/// the recovery supervisor's next step (requests park); or running on that
/// step's placement until its first answer tells how it went.
enum class recovery_phase { none, asking, probing };

struct model_state {
  static inline const char* name = "model";
  model_placement placement;
  /// Provenance shared by every result of this instance.
  provenance origin;
  /// Loading into another browser right now.
  bool binding = false;
  /// Requests that arrived while the instance had no browser.
  std::vector<outgoing> queued;
  /// Requests gathering into the next batch.
  batch_gatherer<waiter> gathering;
  /// Requests at a page, by number. The connection enforces their
  /// deadlines; if it dies instead, the down handler answers them.
  std::map<uint64_t, sent_request> at_page;
  uint64_t next_sent = 0;
  /// Requests not answered yet (queued or at the page).
  uint32_t in_flight = 0;
  /// When to release the browser for idleness (one check pending at most).
  idle_release idle{ms{0}};
  recovery_phase recovery = recovery_phase::none;
  /// The recovery supervisor's case while one is open.
  uint64_t case_id = 0;
  /// Shut down: failures go to the host, nothing moves any more.
  bool stopping = false;
  /// The last connection found dead: a recovery is never pointed at it.
  caf::actor_addr gone;
};

using self_ptr = model_actor::stateful_pointer<model_state>;

// -- requests.cpp ------------------------------------------------------------

/// A request arrived or was answered: arm the idle check if it is due.
void note_activity(self_ptr self);

/// A request was answered: note the time, and look for idleness later.
void answered(self_ptr self);

/// Answers every waiter of `r` with `err`.
void fail(self_ptr self, outgoing& r, const caf::error& err);

/// Records in the metrics sink one request answered with `out` (`first`:
/// the first of its page run, so that batches count once)...
void record_answer(self_ptr self, const infer_result& out, bool first);

/// ...or failed with `err`.
void record_failure(self_ptr self, const caf::error& err);

/// Sends a request to the page on the current browser and answers its
/// waiters with the result.
void send(self_ptr self, outgoing r, bool resent = false);

/// Sends `req` on the current browser, or queues it while there is none.
void dispatch(self_ptr self, page_infer_request req,
              std::vector<waiter> waiters);

/// Sends the requests gathered so far as one batch (alone if only one).
void flush_batch(self_ptr self);

/// Recovers the requests at the page of `connection`, which is gone.
void fail_at_page(self_ptr self, const caf::actor_addr& connection,
                  const caf::error& reason);

/// Whether requests are at the page of `connection`.
bool has_at_page(const model_state& st, const caf::actor_addr& connection);

/// Sends the queued requests on the current browser, or fails them all
/// with `err` if it is set.
void flush_queue(self_ptr self, const caf::error& err);

// -- moves.cpp ---------------------------------------------------------------

/// Provenance of every result on placement `p`.
provenance make_provenance(const model_placement& p);

model_actor as_handle(self_ptr self);

/// Leaves the current browser (if any) and forgets it.
void unbind(self_ptr self);

/// Sends the queued requests on the current browser, or binds to one.
void resume(self_ptr self);

/// Switches to a connection that loaded the model.
void switch_to(self_ptr self, browser_connection_actor conn,
               browser_capabilities caps, loaded_model loaded);

/// Loads the model into another ready browser of the same kind, keeping
/// the current one (if any) until that worked.
void bind(self_ptr self);

// -- recovery.cpp ------------------------------------------------------------

/// Reports a failure (of case `case_id`, 0 = a new one) and parks
/// requests until the recovery supervisor answers.
void ask_recovery(self_ptr self, errc code, const caf::error& err,
                  uint64_t case_id);

/// A request failed (at the page, or its browser died): park it for
/// recovery where its category has a strategy chain, else fail it.
void on_failure(self_ptr self, sent_request sent, caf::error err);

/// A request failed at the connection: send it again where that cannot
/// double an answer (or recover), else fail its waiters.
void on_send_error(self_ptr self, sent_request sent, caf::error err);

} // namespace webaccel::model_detail
