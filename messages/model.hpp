// What a host asks for: a model (by family and name) and the hardware it
// prefers. The router turns these into a placement.
#pragma once

#include <cstdint>
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

/// A model file the runtime serves to pages, addressed by its sha256.
struct model_spec {
  /// Registry name, e.g. "silero_vad_v5".
  std::string name;
  model_family family = model_family::audio;
  /// Absolute path of the .onnx file on this machine.
  std::string path;
  /// Lower-case hex sha256 of the file; the page verifies it before use.
  std::string sha256;
  /// File size in bytes.
  uint64_t size_bytes = 0;
  /// Precision of this file's weights ("fp32", "fp16", "q8", "q4").
  std::string precision = "fp32";
  /// True where the weights are synthetic stand-ins, not pretrained ones.
  bool synthetic_weights = false;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, model_spec& x) {
  return f(caf::meta::type_name("model_spec"), x.name, x.family, x.path,
           x.sha256, x.size_bytes, x.precision, x.synthetic_weights);
}

/// How a host wants its model run. Names follow the user's specification.
struct hardware_preferences {
  /// Platforms in order of preference: "webgpu", "webnn", "wasm".
  std::vector<std::string> priority_list = {"webgpu", "wasm"};
  /// A browser kind to use instead of the family's default ("" = default).
  std::string browser;
  /// Wanted precision ("fp32", "fp16", "q8", "q4").
  std::string precision = "fp32";
  /// Run a warm-up inference at load so shaders compile before real traffic.
  bool precompile_shaders = false;
  /// Allow a clearly labelled simulated result when every strategy failed.
  bool fallback_to_simulation = false;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, hardware_preferences& x) {
  return f(caf::meta::type_name("hardware_preferences"), x.priority_list,
           x.browser, x.precision, x.precompile_shaders, x.fallback_to_simulation);
}

/// A host's request for a model instance.
struct model_request {
  model_family family = model_family::audio;
  std::string name;
  hardware_preferences preferences;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, model_request& x) {
  return f(caf::meta::type_name("model_request"), x.family, x.name, x.preferences);
}

} // namespace webaccel
