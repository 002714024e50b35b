#include "transport/store/latency_histogram.hpp"

#include <cmath>
#include <sstream>
#include <stdexcept>

namespace webaccel {

namespace {

constexpr double first_bound_ms = 0.01;

} // namespace

double latency_histogram::upper_bound_ms(size_t i) {
  return first_bound_ms * std::exp2(double(i) / 4.0);
}

void latency_histogram::add(double ms, uint64_t n) {
  size_t i = 0;
  if (ms > first_bound_ms) {
    auto exact = 4.0 * std::log2(ms / first_bound_ms);
    i = static_cast<size_t>(std::ceil(exact - 1e-9));
  }
  if (i >= bucket_count)
    i = bucket_count - 1;
  buckets_[i] += n;
  count_ += n;
}

void latency_histogram::merge(const latency_histogram& other) {
  for (size_t i = 0; i < bucket_count; ++i)
    buckets_[i] += other.buckets_[i];
  count_ += other.count_;
}

double latency_histogram::percentile(double q) const {
  if (count_ == 0)
    return 0;
  // The rank of the quantile, 1-based: p50 of 2 values is the first.
  auto rank = static_cast<uint64_t>(std::ceil(q * double(count_)));
  if (rank == 0)
    rank = 1;
  uint64_t seen = 0;
  for (size_t i = 0; i < bucket_count; ++i) {
    seen += buckets_[i];
    if (seen >= rank)
      return upper_bound_ms(i);
  }
  return upper_bound_ms(bucket_count - 1);
}

std::string latency_histogram::to_text() const {
  std::string out;
  for (size_t i = 0; i < bucket_count; ++i) {
    if (buckets_[i] == 0)
      continue;
    if (!out.empty())
      out += ' ';
    out += std::to_string(i) + ':' + std::to_string(buckets_[i]);
  }
  return out;
}

bool latency_histogram::from_text(const std::string& text) {
  *this = latency_histogram{};
  std::istringstream in{text};
  std::string pair;
  while (in >> pair) {
    auto colon = pair.find(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == pair.size()
        || pair.find_first_not_of("0123456789:") != std::string::npos) {
      *this = latency_histogram{};
      return false;
    }
    uint64_t i = 0;
    uint64_t n = 0;
    try {
      i = std::stoull(pair.substr(0, colon));
      n = std::stoull(pair.substr(colon + 1));
    } catch (const std::out_of_range&) {
      i = bucket_count; // Too many digits: not ours.
    }
    if (i >= bucket_count) {
      *this = latency_histogram{};
      return false;
    }
    buckets_[i] += n;
    count_ += n;
  }
  return true;
}

} // namespace webaccel
