// Small inline SVG charts for the HTML report: no scripts, no fonts or
// files from anywhere, so the report opens offline.
#pragma once

#include <string>
#include <vector>

namespace webaccel {

/// One line of a line chart: (x, y) points and a colour.
struct chart_series {
  std::string label;
  std::string colour;
  std::vector<std::pair<double, double>> points;
};

/// A line chart with axes labelled by their ranges; x in seconds since
/// the epoch is shown as UTC times.
std::string svg_line_chart(const std::vector<chart_series>& series,
                           const std::string& y_unit, bool x_is_time);

/// One horizontal bar of a timeline: [from, to] on a row.
struct timeline_bar {
  std::string row;
  double from = 0;
  double to = 0;
  std::string colour;
  std::string title;
};

std::string svg_timeline(const std::vector<timeline_bar>& bars);

/// Labelled bars (value per label).
std::string
svg_bar_chart(const std::vector<std::pair<std::string, double>>& bars,
              const std::string& colour, const std::string& unit);

/// `at` (seconds since the epoch) in UTC, formatted with strftime's
/// `pattern`.
std::string utc_text(double at, const char* pattern);

/// Text escaped for HTML and SVG.
std::string xml_escape(const std::string& text);

/// The n-th colour of a fixed palette.
std::string palette(size_t n);

} // namespace webaccel
