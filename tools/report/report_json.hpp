// get_metrics()'s figures and a metrics DB's history as JSON: what
// `webaccel report --format json` prints, and what the HTML and Markdown
// reports are drawn from.
#pragma once

#include <nlohmann/json.hpp>

#include "messages/metrics_summary.hpp"
#include "transport/store/metrics_reader.hpp"

namespace webaccel {

nlohmann::json figures_to_json(const request_figures& f);

nlohmann::json summary_to_json(const metrics_summary& s);

nlohmann::json history_to_json(const metrics_history& h);

} // namespace webaccel
