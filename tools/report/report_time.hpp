// `--since TIME` for reports: seconds since the epoch, an ISO 8601 UTC time
// ("2026-12-01T09:00:00Z", "2026-12-01"), or an age ("90s", "30m", "2h",
// "7d").
#pragma once

#include <string>

namespace webaccel {

/// Seconds since the epoch that `text` names, relative to `now_s` for
/// ages. @throws usage_error naming what it expected.
double parse_since(const std::string& text, double now_s);

} // namespace webaccel
