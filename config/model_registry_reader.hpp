// Reads the config's "models" section: the registry of models, their
// precision variants, and the page-side processing steps they need.
//
//   { "name": "tiny_bert", "family": "text_embedding",
//     "synthetic_weights": true, "batch_dimension": true,
//     "inputs": [...], "outputs": [...],
//     "preprocessing": { "kind": "wordpiece", "vocab": FILE, "max_length": 128
//     }, "variants": [ { "precision": "fp32", "file": FILE },
//                   { "precision": "q8", "parts": { "text": FILE, "image": FILE
//                   } } ] }
//
// FILE is { "path", "sha256", "size_bytes" }. A model with one variant may
// give "path", "sha256", "size_bytes" and "precision" at its top level.
//
// "preprocessing" is one step or an array of them, one per raw input.
// Processing kinds (the page implements them in browser_assets/pipelines/):
//   wordpiece      raw "text" -> input_ids, attention_mask, token_type_ids;
//                  vocab FILE (required), max_length, lowercase
//   image          raw "image" -> float32 [1, 3, H, W]; input, resize
//   ("stretch",
//                  "fit_height", "multiple_of_32"), width, height,
//                  max_width, max_side, mean, std, channel_order
//   audio_frames   raw "audio" (WAV) -> 16 kHz mono frames run in order with a
//   recurrent
//                  state; sample_rate, frame_samples, context_samples, input,
//                  state_input, state_output, rate_input, output
//   ctc            (postprocessing) greedy CTC decoding to text; keys FILE
//   similarity     (postprocessing) cosine similarity of the towers'
//                  embeddings, scaled: logits_per_image; scale
#pragma once

#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "config/runtime_config.hpp"

namespace webaccel {

/// Reads the "models" array; relative paths resolve against `base_dir`.
/// @throws config_error naming the key path
std::map<std::string, model_entry> read_models(const nlohmann::json& x,
                                               const std::string& path,
                                               const std::string& base_dir);

/// The raw input a preprocessing step of this kind takes ("text" for
/// wordpiece, "image", "audio" for audio_frames; else the kind itself).
std::string raw_input_of(const std::string& kind);

} // namespace webaccel
