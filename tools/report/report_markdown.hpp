// `webaccel report --format markdown`: the figures as GitHub-flavoured
// Markdown tables.
#pragma once

#include <string>

#include "transport/store/metrics_reader.hpp"

namespace webaccel {

std::string render_markdown_report(const metrics_history& h);

/// "2026-12-01 09:30:12 UTC" for seconds since the epoch.
std::string utc_time(double at);

} // namespace webaccel
