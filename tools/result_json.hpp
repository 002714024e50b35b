// JSON views of results for the CLI (`--json`) and benchmark reports.
#pragma once

#include <nlohmann/json.hpp>

#include "messages/inference.hpp"

namespace webaccel {

/// A tensor summarized: small ones with their values, large ones with
/// min/max/mean.
nlohmann::json summarize_tensor(const tensor& t);

/// A result with its provenance, timings and summarized outputs.
nlohmann::json result_to_json(const infer_result& r);

} // namespace webaccel
