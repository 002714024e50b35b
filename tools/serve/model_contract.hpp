// What a served model takes and gives, as the protocol's clients read it:
// its metadata (GET /v2/models/{m}), its configuration in Triton's JSON form
// (GET /v2/models/{m}/config, which perf_analyzer and model-analyzer read
// for max_batch_size and the batching kind), and the check of a request's
// inputs against them at the edge, before anything reaches a page.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "config/onnx_signature.hpp"
#include "messages/model.hpp"
#include "transport/kserve/v2_codec.hpp"

namespace webaccel {

/// GET /v2/models/{m}: BYTES inputs for a model with preprocessing, else
/// its graph's inputs; its outputs with their datatypes and shapes (-1 for
/// a size that varies), as its postprocessing leaves them.
nlohmann::json model_metadata(const std::string& name, const model_entry& e,
                              const onnx_signature& graph);

/// GET /v2/models/{m}/config: Triton's model configuration as JSON. The
/// metadata's tensors with Triton's type names (TYPE_FP32, TYPE_STRING, ...);
/// with dynamic batching, max_batch_size is the registry's and the dims
/// leave the batch dimension out.
nlohmann::json triton_model_config(const std::string& name,
                                   const model_entry& e,
                                   const onnx_signature& graph);

/// Why a request's inputs do not fit the model ("" if they do): an input
/// it does not take, or (when no raw input is given) a graph input missing.
/// Names each, and what the model takes.
std::string check_inputs(const std::string& name, const model_entry& e,
                         const kserve::parsed_infer& asked);

} // namespace webaccel
