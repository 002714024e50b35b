// One served model's readiness, as a state machine of its own: loads,
// unloads, failed loads, and requests that failed after recovery ran out
// (failing) or were answered again (ready). The model table holds one per
// model; GET /v2/models/{m}/ready and /v2/health/ready read them.
#pragma once

#include <string>

#include "messages/error.hpp"

namespace webaccel {

/// A served model's state. `failing`: loaded, but its last request failed
/// after recovery ran out of strategies (every browser gone, none can load
/// it); it still takes requests, and its next answer makes it ready again.
/// The protocol's index shows it as UNAVAILABLE, with the reason.
enum class served_state { unloaded, loading, ready, failing, unavailable };

/// "UNLOADED", "LOADING", "READY", "UNAVAILABLE" (Triton's names).
const char* to_string(served_state x);

/// Whether a request's failure says the model cannot run now (recovery ran
/// its chain and no browser could take it), rather than that the request
/// was bad, late or turned away.
bool model_cannot_run(errc code);

class served_model {
public:
  served_state state() const {
    return state_;
  }

  /// Why it is not ready ("" when it is).
  const std::string& reason() const {
    return reason_;
  }

  /// Whether requests go to it (ready or failing).
  bool loaded() const {
    return state_ == served_state::ready || state_ == served_state::failing;
  }

  bool ready() const {
    return state_ == served_state::ready;
  }

  /// A load begins; false (and nothing changes) if it is loaded already.
  bool load_started();

  void load_succeeded();

  void load_failed(std::string why);

  void unloaded();

  /// A request was answered: a failing model is ready again.
  void answered();

  /// A request failed with `code`: a ready model whose failure says it
  /// cannot run is failing.
  void request_failed(errc code, const std::string& what);

private:
  served_state state_ = served_state::unloaded;
  std::string reason_;
};

} // namespace webaccel
