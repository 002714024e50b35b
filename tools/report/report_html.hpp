// `webaccel report --format html`: one self-contained page (inline CSS and
// SVG, no scripts, nothing fetched) with the figures and four charts:
// throughput per minute, memory over time, recovery per category, and the
// browser timeline.
#pragma once

#include <string>

#include "transport/store/metrics_reader.hpp"

namespace webaccel {

std::string render_html_report(const metrics_history& h);

} // namespace webaccel
