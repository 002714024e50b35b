#include "tools/report/svg_chart.hpp"

#include <algorithm>
#include <ctime>
#include <limits>

#include <fmt/format.h>

namespace webaccel {

namespace {

constexpr double width = 760;
constexpr double height = 240;
constexpr double left = 70;
constexpr double right = 20;
constexpr double top = 20;
constexpr double bottom = 40;

std::string hhmm(double at) {
  return utc_text(at, "%H:%M:%S");
}

std::string open_svg(double h) {
  return fmt::format("<svg xmlns=\"http://www.w3.org/2000/svg\" "
                     "width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\" "
                     "font-family=\"sans-serif\" font-size=\"11\">"
                     "<rect width=\"{0}\" height=\"{1}\" fill=\"#ffffff\"/>",
                     width, h);
}

struct range {
  double lo = std::numeric_limits<double>::max();
  double hi = std::numeric_limits<double>::lowest();

  void add(double v) {
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }

  bool empty() const {
    return lo > hi;
  }

  double span() const {
    return hi > lo ? hi - lo : 1.0;
  }
};

} // namespace

std::string utc_text(double at, const char* pattern) {
  auto t = static_cast<std::time_t>(at);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof(buf), pattern, &tm);
  return buf;
}

std::string xml_escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string palette(size_t n) {
  static const char* colours[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e",
                                  "#9467bd", "#8c564b", "#e377c2", "#17becf"};
  return colours[n % (sizeof(colours) / sizeof(colours[0]))];
}

namespace {

/// Pixel points with at most two per pixel column (its lowest and its
/// highest, in the order they came): a series of days of samples draws the
/// same line from a few thousand points.
std::vector<std::pair<double, double>>
thin_to_pixels(const std::vector<std::pair<double, double>>& px) {
  std::vector<std::pair<double, double>> out;
  size_t i = 0;
  while (i < px.size()) {
    auto column = static_cast<int64_t>(px[i].first);
    auto lo = i;
    auto hi = i;
    auto j = i;
    for (; j < px.size() && static_cast<int64_t>(px[j].first) == column; ++j) {
      if (px[j].second < px[lo].second)
        lo = j;
      if (px[j].second > px[hi].second)
        hi = j;
    }
    out.push_back(px[std::min(lo, hi)]);
    if (lo != hi)
      out.push_back(px[std::max(lo, hi)]);
    i = j;
  }
  return out;
}

} // namespace

std::string svg_line_chart(const std::vector<chart_series>& series,
                           const std::string& y_unit, bool x_is_time) {
  range x;
  range y;
  y.add(0);
  for (auto& s : series)
    for (auto& [px, py] : s.points) {
      x.add(px);
      y.add(py);
    }
  auto out = open_svg(height);
  auto plot_w = width - left - right;
  auto plot_h = height - top - bottom;
  out += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" "
                     "stroke=\"#444\"/><line x1=\"{0}\" y1=\"{2}\" "
                     "x2=\"{3}\" y2=\"{2}\" stroke=\"#444\"/>",
                     left, top, top + plot_h, left + plot_w);
  if (x.empty()) {
    out += fmt::format("<text x=\"{}\" y=\"{}\">no data</text></svg>",
                       left + 10, top + 20);
    return out;
  }
  auto label_x = [&](double v) {
    return x_is_time ? hhmm(v) : fmt::format("{:g}", v);
  };
  out += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{:g} "
                     "{}</text><text x=\"{}\" y=\"{}\" "
                     "text-anchor=\"end\">0</text>",
                     left - 4, top + 10, y.hi, xml_escape(y_unit), left - 4,
                     top + plot_h);
  out += fmt::format("<text x=\"{}\" y=\"{}\">{}</text><text x=\"{}\" "
                     "y=\"{}\" text-anchor=\"end\">{}</text>",
                     left, height - 22, label_x(x.lo), left + plot_w,
                     height - 22, label_x(x.hi));
  for (size_t i = 0; i < series.size(); ++i) {
    auto& s = series[i];
    std::vector<std::pair<double, double>> projected;
    for (auto& [px, py] : s.points)
      projected.emplace_back(left + (px - x.lo) / x.span() * plot_w,
                             top + plot_h - (py - y.lo) / y.span() * plot_h);
    std::string points;
    for (auto& [px, py] : thin_to_pixels(projected))
      points += fmt::format("{:.1f},{:.1f} ", px, py);
    out += fmt::format("<polyline fill=\"none\" stroke=\"{}\" "
                       "stroke-width=\"2.5\" points=\"{}\"/>",
                       s.colour, points);
    if (s.points.size() == 1) {
      auto [px, py] = s.points[0];
      out += fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"4\" "
                         "fill=\"{}\"/>",
                         left + (px - x.lo) / x.span() * plot_w,
                         top + plot_h - (py - y.lo) / y.span() * plot_h,
                         s.colour);
    }
    out += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"10\" height=\"10\" "
                       "fill=\"{}\"/><text x=\"{}\" y=\"{}\">{}</text>",
                       left + 160.0 * double(i % 4), height - 14.0, s.colour,
                       left + 160.0 * double(i % 4) + 14, height - 5.0,
                       xml_escape(s.label));
  }
  return out + "</svg>";
}

std::string svg_timeline(const std::vector<timeline_bar>& bars) {
  std::vector<std::string> rows;
  range x;
  for (auto& b : bars) {
    if (std::find(rows.begin(), rows.end(), b.row) == rows.end())
      rows.push_back(b.row);
    x.add(b.from);
    x.add(b.to);
  }
  double row_h = 18;
  auto h = top + bottom + row_h * double(std::max<size_t>(rows.size(), 1));
  auto out = open_svg(h);
  if (x.empty())
    return out + "<text x=\"80\" y=\"40\">no browsers</text></svg>";
  auto plot_w = width - left - right;
  for (auto& b : bars) {
    auto row
      = double(std::find(rows.begin(), rows.end(), b.row) - rows.begin());
    auto x0 = left + (b.from - x.lo) / x.span() * plot_w;
    auto x1 = left + (b.to - x.lo) / x.span() * plot_w;
    out += fmt::format("<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" "
                       "height=\"{}\" fill=\"{}\"><title>{}</title></rect>",
                       x0, top + row * row_h + 2, std::max(2.0, x1 - x0),
                       row_h - 4, b.colour, xml_escape(b.title));
  }
  for (size_t r = 0; r < rows.size(); ++r)
    out += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
                       left - 4, top + double(r) * row_h + 13,
                       xml_escape(rows[r]));
  out += fmt::format("<text x=\"{}\" y=\"{}\">{}</text><text x=\"{}\" "
                     "y=\"{}\" text-anchor=\"end\">{}</text>",
                     left, h - 22, hhmm(x.lo), left + plot_w, h - 22,
                     hhmm(x.hi));
  return out + "</svg>";
}

std::string
svg_bar_chart(const std::vector<std::pair<std::string, double>>& bars,
              const std::string& colour, const std::string& unit) {
  double bar_h = 22;
  auto h = top + bottom + bar_h * double(std::max<size_t>(bars.size(), 1));
  auto out = open_svg(h);
  if (bars.empty())
    return out + "<text x=\"80\" y=\"40\">none</text></svg>";
  double hi = 0;
  for (auto& b : bars)
    hi = std::max(hi, b.second);
  if (hi <= 0)
    hi = 1;
  auto label_w = 170.0;
  auto plot_w = width - label_w - right - 80;
  for (size_t i = 0; i < bars.size(); ++i) {
    auto y = top + double(i) * bar_h;
    out += fmt::format(
      "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>"
      "<rect x=\"{}\" y=\"{}\" width=\"{:.1f}\" "
      "height=\"{}\" fill=\"{}\"/><text x=\"{:.1f}\" "
      "y=\"{}\">{:g} {}</text>",
      label_w - 6, y + 15, xml_escape(bars[i].first), label_w, y + 3,
      std::max(2.0, bars[i].second / hi * plot_w), bar_h - 6, colour,
      label_w + std::max(2.0, bars[i].second / hi * plot_w) + 4, y + 15,
      bars[i].second, xml_escape(unit));
  }
  return out + "</svg>";
}

} // namespace webaccel
