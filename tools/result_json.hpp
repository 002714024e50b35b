// JSON views of results for the CLI (`--json`) and benchmark reports.
#pragma once

#include <nlohmann/json.hpp>

#include "messages/capabilities.hpp"
#include "messages/inference.hpp"

namespace webaccel {

/// A tensor summarized: small ones with their values, large ones with
/// min/max/mean.
nlohmann::json summarize_tensor(const tensor& t);

/// A result with its provenance, timings and summarized outputs.
nlohmann::json result_to_json(const infer_result& r);

/// What a browser's page probed.
nlohmann::json capabilities_to_json(const browser_capabilities& c);

} // namespace webaccel
