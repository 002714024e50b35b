// The health monitor's canary: a tiny model with a known answer (y = 2x + 1
// on 16 floats, tools/modelgen/canary.py) that it loads in every browser
// and runs on each platform through the same path as real requests. A page
// that answers heartbeats but cannot run a model fails it.
#pragma once

#include <optional>
#include <string>

#include "messages/inference.hpp"

namespace webaccel {

constexpr const char* canary_model_name = "webaccel_canary";

/// The canary's spec, from its file under the assets dir
/// (models/webaccel_canary.onnx, made by the setup command). Without it:
/// nullopt, and `why_not` says what is missing.
std::optional<model_spec> canary_spec(const std::string& assets_dir,
                                      std::string& why_not);

/// The canary's input, with the page deadline `timeout_ms`.
page_infer_request canary_request(uint32_t timeout_ms);

/// Empty if `res` is the canary's answer; else what is wrong with it.
std::string check_canary(const page_result& res);

} // namespace webaccel
