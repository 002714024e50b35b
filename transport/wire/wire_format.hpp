// The bridge protocol between the runtime and the worker page, as pure
// functions: structs in, frames out, and frames in, structs or an error out.
//
// Text frames are JSON control messages ({"type": ..., "id": ...}). Binary
// frames carry tensors: a 4-byte little-endian header length, a JSON header
// naming each tensor's dtype, shape and byte range, then the raw
// little-endian tensor bytes. Every size is bounded by `limits`.
// browser_assets/protocol.js is the page's side of this file.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "messages/capabilities.hpp"
#include "messages/inference.hpp"
#include "messages/model.hpp"
#include "messages/tensor.hpp"

namespace webaccel::wire {

/// Bounds on what a peer may send.
struct limits {
  /// Largest frame, text or binary.
  uint64_t max_message_bytes = 16u * 1024 * 1024;
  /// Largest JSON header of a binary frame.
  uint32_t max_header_bytes = 64 * 1024;
  /// Most tensors in one frame.
  uint32_t max_tensors = 64;
  /// Most dimensions of one tensor.
  uint32_t max_rank = 8;
  /// Longest name (tensor, model key, error text is cut, not rejected).
  uint32_t max_name_bytes = 256;
  /// Most frames in one bundle (see wire_bundle.hpp).
  uint32_t max_bundle_frames = 256;
};

/// A value or the reason a frame was rejected.
template <class T>
struct decoded {
  std::optional<T> value;
  std::string error;

  static decoded ok(T x) {
    return {std::move(x), {}};
  }

  static decoded fail(std::string what) {
    return {std::nullopt, std::move(what)};
  }

  explicit operator bool() const {
    return value.has_value();
  }
};

// -- page -> runtime ----------------------------------------------------------

/// The page's first message: what it really probed.
struct hello {
  browser_capabilities capabilities;
};

/// A load finished.
struct loaded {
  uint64_t id = 0;
  loaded_model model;
};

/// A request failed in the page (id 0: not tied to a request).
struct page_error {
  uint64_t id = 0;
  /// JS error name, e.g. "GPUOutOfMemoryError" or "Error".
  std::string name;
  std::string message;
};

/// Answer to a ping.
struct pong {
  uint64_t id = 0;
  /// JS heap in use, where the browser tells (0 = unknown).
  uint64_t heap_bytes = 0;
};

using page_message = std::variant<hello, loaded, page_error, pong>;

/// Decodes a text frame from the page.
decoded<page_message> decode_page_text(std::string_view frame,
                                       const limits& lim);

/// An inference answer: outputs and the page's timings.
struct result_frame {
  uint64_t id = 0;
  page_result result;
};

/// Decodes a binary frame from the page.
decoded<result_frame> decode_result(const std::vector<uint8_t>& frame,
                                    const limits& lim);

/// Extracts the browser version from a user agent ("Chrome/156.0..." or
/// "Firefox/153.0"); empty if none is found.
std::string browser_version_from_user_agent(std::string_view user_agent);

// -- runtime -> page ----------------------------------------------------------

/// A command to load one variant of a model. The page fetches every file
/// (the variant's parts, the processing steps' files) from
/// "/models/<sha256>" and checks size and hash before it uses it.
struct load_command {
  uint64_t id = 0;
  /// Key the page files the sessions under.
  std::string key;
  model_spec spec;
  /// "webgpu", "webnn" or "wasm".
  std::string platform;
};

std::string encode_load(const load_command& cmd);

std::string encode_ping(uint64_t id);

/// Tells the page to release the model loaded under `key`.
std::string encode_unload(const std::string& key);

/// Tests only: asks the page to misbehave (`fault` is one of page_faults)
/// for its next `count` inferences, or once.
std::string encode_fault(const std::string& fault, uint32_t count);

/// The faults a page injects itself: hang (no answer), oom (an allocation
/// failure), unsupported (an unsupported-operator error), close (closes
/// the bridge), freeze (its JavaScript busy for `count` seconds).
bool is_page_fault(const std::string& fault);

/// An inference command. Raw inputs travel as uint8 tensors named in the
/// header's "raw" list with their media types.
struct infer_frame {
  uint64_t id = 0;
  std::string key;
  std::vector<tensor> inputs;
  std::vector<raw_input> raw;
};

/// Encodes an inference command; fails if a tensor is malformed or the
/// frame would exceed the limits.
decoded<std::vector<uint8_t>> encode_infer(const infer_frame& cmd,
                                           const limits& lim);

/// The same from parts, so a caller need not copy its tensors into a frame.
decoded<std::vector<uint8_t>> encode_infer(uint64_t id, const std::string& key,
                                           const page_infer_request& req,
                                           const limits& lim);

// -- the other direction, for tests and fakes of the page ---------------------

decoded<infer_frame> decode_infer(const std::vector<uint8_t>& frame,
                                  const limits& lim);

decoded<std::vector<uint8_t>> encode_result(const result_frame& res,
                                            const limits& lim);

std::string encode_hello(const browser_capabilities& caps);

std::string encode_loaded(const loaded& msg);

std::string encode_page_error(const page_error& msg);

} // namespace webaccel::wire
