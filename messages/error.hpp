// The error codes of webaccel. The first seven are the failure categories of
// DESIGN.md that recovery strategies key on; the rest describe requests that
// no recovery can fix.
#pragma once

#include <cstdint>
#include <string>

#include <caf/error.hpp>
#include <caf/make_message.hpp>
#include <caf/message.hpp>

namespace webaccel {

/// Error codes, carried in `caf::error` with the category atom "webaccel".
enum class errc : uint8_t {
  /// Not an error.
  none = 0,
  /// WebSocket closed or failed while the browser lives; handshake failure.
  connection,
  /// The browser process exited or was killed; the renderer is gone.
  browser_crash,
  /// The page ran out of (GPU or WASM) memory.
  out_of_memory,
  /// A deadline passed with no answer; a heartbeat was missed.
  timeout,
  /// The backend rejected an operator of the model.
  unsupported_operation,
  /// The browser lacks the requested platform (WebGPU, WebNN, WASM feature).
  browser_capability,
  /// The model failed to load: opset, shapes, corrupt file, hash mismatch.
  model_incompatible,
  /// The caller's request is malformed (unknown model, bad tensor, ...).
  invalid_request,
  /// A peer sent a message that violates the bridge protocol.
  protocol_violation,
  /// No browser of the requested kind can be launched on this machine.
  browser_unavailable,
  /// The runtime is shutting down.
  shutting_down,
  /// A model's request queue is full: back off and retry.
  overloaded,
};

/// Returns the stable, lower-case name of `x` (e.g. "browser_crash").
inline const char* to_string(errc x) {
  switch (x) {
    case errc::none:
      return "none";
    case errc::connection:
      return "connection";
    case errc::browser_crash:
      return "browser_crash";
    case errc::out_of_memory:
      return "out_of_memory";
    case errc::timeout:
      return "timeout";
    case errc::unsupported_operation:
      return "unsupported_operation";
    case errc::browser_capability:
      return "browser_capability";
    case errc::model_incompatible:
      return "model_incompatible";
    case errc::invalid_request:
      return "invalid_request";
    case errc::protocol_violation:
      return "protocol_violation";
    case errc::browser_unavailable:
      return "browser_unavailable";
    case errc::shutting_down:
      return "shutting_down";
    case errc::overloaded:
      return "overloaded";
  }
  return "unknown";
}

/// True for the seven categories that recovery strategies handle.
inline bool is_recoverable_category(errc x) {
  return x >= errc::connection && x <= errc::model_incompatible;
}

} // namespace webaccel

CAF_ERROR_CODE_ENUM(webaccel::errc, "webaccel")

namespace webaccel {

/// Makes a `caf::error` of code `code` with a human-readable `what`.
inline caf::error make_error(errc code, std::string what) {
  return caf::make_error(code, std::move(what));
}

/// The category of an error: its code if it is webaccel's, else
/// `connection` (CAF's own errors: a request to an actor that is gone).
inline errc category_of(const caf::error& err) {
  return err.category() == caf::atom("webaccel") ? static_cast<errc>(err.code())
                                                 : errc::connection;
}

/// The text a webaccel error carries (what happened), without its code.
std::string error_text(const caf::message& context);

/// Renders code and text as "category: what".
std::string render_error(errc code, const caf::message& context);

/// Renders any error; webaccel's as "category: what", for logs and the CLI.
std::string render_error(const caf::error& err);

} // namespace webaccel
