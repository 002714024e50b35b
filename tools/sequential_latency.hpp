// One request at a time on a warm model: what several benches measure.
#pragma once

#include <cstddef>

#include <nlohmann/json.hpp>

#include "actors/runtime.hpp"

namespace webaccel {

/// Runs `input` 20 times to warm `model` up, then `requests` times one
/// after another: latency_summary of those, with the node and platform of
/// the last answer.
nlohmann::json sequential_latency(const model_handle& model,
                                  const infer_request& input, size_t requests);

} // namespace webaccel
