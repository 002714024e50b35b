// What a host asks for: a model (by family and name) and the hardware it
// prefers. The router turns these into a placement.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <caf/meta/type_name.hpp>

namespace webaccel {

/// Model families; each has a default browser preference (DESIGN.md).
enum class model_family : uint8_t {
  audio,
  vision,
  text_embedding,
  text_generation,
  multimodal,
};

/// Returns the config/CLI name of `x` (e.g. "text_embedding").
const char* to_string(model_family x);

/// Parses a family name as written in configs and requests.
std::optional<model_family> parse_model_family(std::string_view name);

/// A file the runtime serves to pages at `/models/<sha256>` (immutable);
/// the page checks size and hash before it uses the bytes.
struct model_file {
  /// Absolute path on this machine.
  std::string path;
  /// Lower-case hex sha256 of the file.
  std::string sha256;
  uint64_t size_bytes = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, model_file& x) {
  return f(caf::meta::type_name("model_file"), x.path, x.sha256, x.size_bytes);
}

/// One precision of a model: its ONNX file, or one file per part (a
/// multimodal model's towers, e.g. "text" and "image").
struct model_variant {
  /// How the weights are stored: "fp32", "fp16", "q8" or "q4".
  std::string precision = "fp32";
  /// True where some layers keep a higher precision than `precision`.
  bool mixed_precision = false;
  /// Part name -> file; a single-file model has one part, "model".
  std::map<std::string, model_file> parts;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, model_variant& x) {
  return f(caf::meta::type_name("model_variant"), x.precision,
           x.mixed_precision, x.parts);
}

/// A processing step the page runs before or after the model (WordPiece on
/// the raw input "text", image resize/normalize on "image", WAV framing on
/// "audio"; CTC decoding after). Its options are a
/// JSON object, checked when the config is read; files it needs (a
/// vocabulary) are served like model files.
struct processing_step {
  /// "none" or a kind the page knows (see config/model_registry_reader.hpp).
  std::string kind = "none";
  /// The step's options as a JSON object text.
  std::string options = "{}";
  std::map<std::string, model_file> files;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, processing_step& x) {
  return f(caf::meta::type_name("processing_step"), x.kind, x.options, x.files);
}

/// How requests to a model with a batch dimension are grouped.
struct batching_policy {
  /// Most requests run as one batch; 1 turns batching off.
  uint32_t max_batch_size = 1;
  /// Longest a request waits for others to join its batch.
  uint32_t max_delay_ms = 2;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, batching_policy& x) {
  return f(caf::meta::type_name("batching_policy"), x.max_batch_size,
           x.max_delay_ms);
}

/// A model of the registry, as the config declares it.
struct model_entry {
  /// Registry name, e.g. "silero_vad_v5".
  std::string name;
  model_family family = model_family::audio;
  std::string description;
  /// True where the weights are synthetic stand-ins, not pretrained ones.
  bool synthetic_weights = false;
  /// Declared input and output names (checked against what the page loads).
  std::vector<std::string> inputs;
  std::vector<std::string> outputs;
  /// One step per raw input the model takes (a multimodal model has two).
  std::vector<processing_step> preprocessing;
  processing_step postprocessing;
  /// True if every input and output has the batch as its first dimension.
  bool batch_dimension = false;
  batching_policy batching;
  /// Most requests waiting for or at the page per instance; more are
  /// refused with `overloaded`.
  uint32_t max_queue = 256;
  std::vector<model_variant> variants;

  /// The variant of `precision` (and `mixed` where one exists); nullptr if
  /// the model has no variant of that precision.
  const model_variant* variant(const std::string& precision, bool mixed) const;

  /// "fp32, q8 (mixed)" - for error messages.
  std::string variant_names() const;
};

/// One variant of a model, as the router placed it and a page loads it.
struct model_spec {
  std::string name;
  model_family family = model_family::audio;
  bool synthetic_weights = false;
  model_variant variant;
  std::vector<processing_step> preprocessing;
  processing_step postprocessing;
  bool batch_dimension = false;
  batching_policy batching;
  uint32_t max_queue = 256;
  /// Run a warm-up inference at load (`precompile_shaders`).
  bool warmup = false;
  /// Load the parts concurrently (`parallel_loading`).
  bool parallel_loading = false;

  /// Key of the loaded sessions in a page: name, precision, platform.
  std::string page_key(const std::string& platform) const;

  /// Bytes of every file a page loads for it.
  uint64_t total_bytes() const;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, model_spec& x) {
  return f(caf::meta::type_name("model_spec"), x.name, x.family,
           x.synthetic_weights, x.variant, x.preprocessing, x.postprocessing,
           x.batch_dimension, x.batching, x.max_queue, x.warmup,
           x.parallel_loading);
}

/// Every file of a model: each variant's parts and its steps' files.
std::vector<const model_file*> files_of(const model_entry& entry);

/// Every file a page loads for `spec`.
std::vector<const model_file*> files_of(const model_spec& spec);

/// The spec of `entry`'s `variant`.
model_spec make_spec(const model_entry& entry, const model_variant& variant);

/// How a host wants its model run. Names follow the user's specification.
struct hardware_preferences {
  /// Platforms in order of preference: "webgpu", "webnn", "wasm".
  std::vector<std::string> priority_list = {"webgpu", "wasm"};
  /// A browser kind to use instead of the family's default ("" = default).
  std::string browser;
  /// Wanted precision ("fp32", "fp16", "q8", "q4").
  std::string precision = "fp32";
  /// Prefer a variant that keeps sensitive layers at a higher precision.
  bool mixed_precision = false;
  /// Run a warm-up inference at load so shaders compile before real traffic.
  bool precompile_shaders = false;
  /// Load a multimodal model's parts concurrently instead of in turn.
  bool parallel_loading = false;
  /// Allow a clearly labelled simulated result when every strategy failed.
  bool fallback_to_simulation = false;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, hardware_preferences& x) {
  return f(caf::meta::type_name("hardware_preferences"), x.priority_list,
           x.browser, x.precision, x.mixed_precision, x.precompile_shaders,
           x.parallel_loading, x.fallback_to_simulation);
}

/// What the pool should know to pick a browser of a kind for a model.
struct placement_hint {
  /// False: only to look at a browser (adds no load, starts none if one runs).
  bool placing = true;
  /// The model's page key: a browser that has it loaded is preferred (warm).
  std::string model_key;
  /// What the model adds to a browser's memory (the sum of its files).
  uint64_t model_bytes = 0;
  /// Actor id of a connection the asker found gone, which the pool may not
  /// have noticed yet: never handed out (0 = none).
  uint64_t gone_connection = 0;

  /// Only to look at a browser.
  static placement_hint to_look() {
    placement_hint out;
    out.placing = false;
    return out;
  }
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, placement_hint& x) {
  return f(caf::meta::type_name("placement_hint"), x.placing, x.model_key,
           x.model_bytes, x.gone_connection);
}

/// A host's request for a model instance.
struct model_request {
  model_family family = model_family::audio;
  std::string name;
  hardware_preferences preferences;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, model_request& x) {
  return f(caf::meta::type_name("model_request"), x.family, x.name,
           x.preferences);
}

} // namespace webaccel
