#include "tools/serve/prometheus_text.hpp"

#include <cmath>
#include <cstdio>

namespace webaccel {

namespace {

void append_escaped(std::string& out, const std::string& value, bool quote) {
  for (char c : value) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '\n')
      out += "\\n";
    else if (c == '"' && quote)
      out += "\\\"";
    else
      out += c;
  }
}

std::string number(double x) {
  if (std::isnan(x))
    return "NaN";
  if (std::isinf(x))
    return x > 0 ? "+Inf" : "-Inf";
  char buf[32];
  // Integers as integers (counts read better), the rest with enough digits
  // to round-trip.
  if (x == std::floor(x) && std::fabs(x) < 1e15)
    std::snprintf(buf, sizeof buf, "%.0f", x);
  else
    std::snprintf(buf, sizeof buf, "%.17g", x);
  return buf;
}

} // namespace

void prometheus_text::family(const std::string& name, const char* type,
                             const std::string& help) {
  name_ = name;
  out_ += "# HELP " + name + " ";
  append_escaped(out_, help, false);
  out_ += "\n# TYPE " + name + " " + type + "\n";
}

void prometheus_text::sample(const prom_labels& labels, double value) {
  line(name_, labels, value);
}

void prometheus_text::histogram(const prom_labels& labels,
                                const duration_histogram& h) {
  auto bucket = labels;
  bucket.emplace_back("le", "");
  for (size_t i = 0; i < duration_histogram::bounds.size(); ++i) {
    // The bounds as written ("0.0025"), not as doubles round-trip.
    char le[32];
    std::snprintf(le, sizeof le, "%g", duration_histogram::bounds[i]);
    bucket.back().second = le;
    line(name_ + "_bucket", bucket, double(h.at_or_below(i)));
  }
  bucket.back().second = "+Inf";
  line(name_ + "_bucket", bucket, double(h.count()));
  line(name_ + "_sum", labels, h.sum());
  line(name_ + "_count", labels, double(h.count()));
}

void prometheus_text::line(const std::string& name, const prom_labels& labels,
                           double value) {
  out_ += name;
  if (!labels.empty()) {
    out_ += '{';
    for (size_t i = 0; i < labels.size(); ++i) {
      if (i > 0)
        out_ += ',';
      out_ += labels[i].first + "=\"";
      append_escaped(out_, labels[i].second, true);
      out_ += '"';
    }
    out_ += '}';
  }
  out_ += ' ' + number(value) + '\n';
}

} // namespace webaccel
