// Prometheus's text exposition format (version 0.0.4): metric families,
// each with its HELP and TYPE lines and then its samples. Label values are
// escaped as the format asks (backslash, double quote, newline).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "tools/serve/duration_histogram.hpp"

namespace webaccel {

using prom_labels = std::vector<std::pair<std::string, std::string>>;

class prometheus_text {
public:
  /// Starts a family. `type` is "counter", "gauge" or "histogram". A family is
  /// written once; its samples follow it.
  void family(const std::string& name, const char* type,
              const std::string& help);

  /// One sample of the current family.
  void sample(const prom_labels& labels, double value);

  /// One histogram of the current family (TYPE histogram): its cumulative
  /// buckets (label le), its sum and its count.
  void histogram(const prom_labels& labels, const duration_histogram& h);

  /// The same without labels.
  void sample(double value) {
    sample({}, value);
  }

  const std::string& str() const {
    return out_;
  }

private:
  /// One line: `name`{labels} value.
  void line(const std::string& name, const prom_labels& labels, double value);

  std::string out_;
  std::string name_;
};

/// The content type of the text format.
inline constexpr const char* prometheus_content_type
  = "text/plain; version=0.0.4; charset=utf-8";

} // namespace webaccel
