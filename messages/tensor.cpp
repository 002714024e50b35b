#include "messages/tensor.hpp"

#include <cstring>
#include <limits>

namespace webaccel {

namespace {

constexpr dtype all_dtypes[] = {dtype::float32, dtype::float16, dtype::int64,
                                dtype::int32,   dtype::int8,    dtype::uint8,
                                dtype::bool8};

} // namespace

const char* to_string(dtype x) {
  switch (x) {
    case dtype::float32:
      return "float32";
    case dtype::float16:
      return "float16";
    case dtype::int64:
      return "int64";
    case dtype::int32:
      return "int32";
    case dtype::int8:
      return "int8";
    case dtype::uint8:
      return "uint8";
    case dtype::bool8:
      return "bool";
  }
  return "unknown";
}

std::optional<dtype> parse_dtype(std::string_view name) {
  for (auto x : all_dtypes)
    if (name == to_string(x))
      return x;
  return std::nullopt;
}

size_t element_size(dtype x) {
  switch (x) {
    case dtype::float32:
    case dtype::int32:
      return 4;
    case dtype::float16:
      return 2;
    case dtype::int64:
      return 8;
    case dtype::int8:
    case dtype::uint8:
    case dtype::bool8:
      return 1;
  }
  return 1;
}

int64_t tensor::element_count() const {
  int64_t n = 1;
  for (auto d : shape) {
    if (d < 0 || (d > 0 && n > std::numeric_limits<int64_t>::max() / d))
      return -1;
    n *= d;
  }
  return n;
}

tensor tensor::from_floats(std::string name, std::vector<int64_t> shape,
                           const std::vector<float>& values) {
  tensor t{std::move(name), dtype::float32, std::move(shape), {}};
  t.data.resize(values.size() * sizeof(float));
  std::memcpy(t.data.data(), values.data(), t.data.size());
  return t;
}

tensor tensor::from_int64s(std::string name, std::vector<int64_t> shape,
                           const std::vector<int64_t>& values) {
  tensor t{std::move(name), dtype::int64, std::move(shape), {}};
  t.data.resize(values.size() * sizeof(int64_t));
  std::memcpy(t.data.data(), values.data(), t.data.size());
  return t;
}

std::vector<float> tensor::to_floats() const {
  if (type != dtype::float32)
    return {};
  std::vector<float> out(data.size() / sizeof(float));
  std::memcpy(out.data(), data.data(), out.size() * sizeof(float));
  return out;
}

} // namespace webaccel
