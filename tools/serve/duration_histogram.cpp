#include "tools/serve/duration_histogram.hpp"

#include <algorithm>

namespace webaccel {

constexpr std::array<double, 16> duration_histogram::bounds;

void duration_histogram::observe(double seconds) {
  auto i = std::lower_bound(bounds.begin(), bounds.end(), seconds)
           - bounds.begin();
  counts_[static_cast<size_t>(i)]++;
  count_++;
  sum_ += seconds;
}

uint64_t duration_histogram::at_or_below(size_t i) const {
  uint64_t n = 0;
  for (size_t k = 0; k <= i && k < counts_.size(); ++k)
    n += counts_[k];
  return n;
}

} // namespace webaccel
