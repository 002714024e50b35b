// Inference requests and results. Every result says where and how it was
// computed (provenance) and whether it was simulated.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <caf/meta/type_name.hpp>

#include "messages/capabilities.hpp"
#include "messages/model.hpp"
#include "messages/tensor.hpp"

namespace webaccel {

/// An input the page turns into tensors with the model's preprocessing:
/// UTF-8 text, an encoded image (PNG, JPEG, ...) or a WAV file.
struct raw_input {
  /// What it is for the model: "text", "image" or "audio".
  std::string name;
  /// "text/plain", "image/png", "audio/wav", ...
  std::string media_type;
  std::vector<uint8_t> data;

  static raw_input text(const std::string& utf8) {
    return {"text", "text/plain", {utf8.begin(), utf8.end()}};
  }
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, raw_input& x) {
  return f(caf::meta::type_name("raw_input"), x.name, x.media_type, x.data);
}

/// Inputs for one inference: tensors, raw inputs, or both.
struct infer_request {
  std::vector<tensor> inputs;
  std::vector<raw_input> raw;
  /// Deadline for the answer in milliseconds (0 = the configured default).
  uint32_t timeout_ms = 0;
  /// Benchmarks only: the page runs the request this many times in its own
  /// loop, with no bridge in between, and reports the total (the physical
  /// limit the runtime's throughput is compared with). 0 = once.
  uint32_t page_repeat = 0;

  /// A request of tensors alone.
  static infer_request of(std::vector<tensor> inputs, uint32_t timeout_ms = 0) {
    infer_request out;
    out.inputs = std::move(inputs);
    out.timeout_ms = timeout_ms;
    return out;
  }
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, infer_request& x) {
  return f(caf::meta::type_name("infer_request"), x.inputs, x.raw, x.timeout_ms,
           x.page_repeat);
}

/// What a model instance sends its page: one host request as it came, or
/// several merged into one batch, which the page runs at once (it stacks
/// their inputs and splits the outputs back). Internal to the runtime.
struct page_infer_request {
  std::vector<tensor> inputs;
  std::vector<raw_input> raw;
  uint32_t timeout_ms = 0;
  /// How many requests it carries (0 = one, unbatched), and which request
  /// each input and raw input belongs to.
  uint32_t batch_items = 0;
  std::vector<uint32_t> input_items;
  std::vector<uint32_t> raw_items;
  /// As in infer_request.
  uint32_t page_repeat = 0;

  /// One host request, unbatched.
  static page_infer_request of(infer_request req) {
    page_infer_request out;
    out.inputs = std::move(req.inputs);
    out.raw = std::move(req.raw);
    out.timeout_ms = req.timeout_ms;
    out.page_repeat = req.page_repeat;
    return out;
  }
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, page_infer_request& x) {
  return f(caf::meta::type_name("page_infer_request"), x.inputs, x.raw,
           x.timeout_ms, x.batch_items, x.input_items, x.raw_items,
           x.page_repeat);
}

/// Where the time of one request went, in milliseconds.
struct timings {
  /// Inside the runtime: actor hops and queues before and after the page
  /// round trip (total minus round trip).
  double queue = 0;
  /// Round trip to the page minus the page's own handling time.
  double transfer = 0;
  /// onnxruntime-web's `session.run` in the page.
  double compute = 0;
  /// From arrival at the model actor to the answer.
  double total = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, timings& x) {
  return f(caf::meta::type_name("timings"), x.queue, x.transfer, x.compute,
           x.total);
}

/// Where and how a result was computed.
struct provenance {
  /// The webaccel node that ran it ("local": this runtime's own browsers).
  std::string node;
  std::string browser;
  std::string browser_version;
  /// Platform that ran it: "webgpu", "webnn" or "wasm".
  std::string platform;
  /// The WebGPU adapter when the platform is webgpu; empty otherwise.
  adapter_info adapter;
  /// Precision of the weights that ran.
  std::string precision;
  /// True if that variant keeps some layers at a higher precision.
  bool mixed_precision = false;
  /// onnxruntime-web's execution provider as requested in the page.
  std::string execution_provider;
  /// Why the router chose this browser and platform (and what it skipped).
  std::string placement;
  /// Requested options the platform could not honour, with the reason.
  std::vector<std::string> ignored_options;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, provenance& x) {
  return f(caf::meta::type_name("provenance"), x.node, x.browser,
           x.browser_version, x.platform, x.adapter, x.precision,
           x.mixed_precision, x.execution_provider, x.placement,
           x.ignored_options);
}

/// The answer to an `infer_request`.
struct infer_result {
  std::string model;
  /// Requests that ran together in the page's batch with this one (1 =
  /// alone).
  uint32_t batch_size = 1;
  model_family family = model_family::audio;
  bool synthetic_weights = false;
  /// True only for results of the labelled simulation fallback.
  bool simulated = false;
  provenance origin;
  timings time;
  std::vector<tensor> outputs;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, infer_result& x) {
  return f(caf::meta::type_name("infer_result"), x.model, x.batch_size,
           x.family, x.synthetic_weights, x.simulated, x.origin, x.time,
           x.outputs);
}

/// What a page answered to an inference: outputs and its own timings.
struct page_result {
  std::vector<tensor> outputs;
  /// `session.run` time measured in the page.
  double compute_ms = 0;
  /// Time from frame arrival to reply in the page (decode + run + encode).
  double page_ms = 0;
  /// Round trip as the browser connection measured it.
  double round_trip_ms = 0;
  /// For a batch: which request each output belongs to.
  std::vector<uint32_t> output_items;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, page_result& x) {
  return f(caf::meta::type_name("page_result"), x.outputs, x.compute_ms,
           x.page_ms, x.round_trip_ms, x.output_items);
}

/// A model the page loaded: its session's input and output names.
struct loaded_model {
  /// Key of the session in the page.
  std::string key;
  std::string platform;
  std::string execution_provider;
  std::vector<std::string> input_names;
  std::vector<std::string> output_names;
  double load_ms = 0;
  /// First inference (the warm-up run) when `precompile_shaders` asked
  /// for one; 0 otherwise.
  double warmup_ms = 0;
  /// Options the platform could not honour, each with the reason.
  std::vector<std::string> ignored_options;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, loaded_model& x) {
  return f(caf::meta::type_name("loaded_model"), x.key, x.platform,
           x.execution_provider, x.input_names, x.output_names, x.load_ms,
           x.warmup_ms, x.ignored_options);
}

} // namespace webaccel
