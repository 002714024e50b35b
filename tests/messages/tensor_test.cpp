#include "messages/tensor.hpp"

#include <doctest/doctest.h>

using namespace webaccel;

TEST_CASE("dtype names round-trip through onnxruntime-web's spelling") {
  for (auto name :
       {"float32", "float16", "int64", "int32", "int8", "uint8", "bool"}) {
    auto x = parse_dtype(name);
    REQUIRE(x);
    CHECK(std::string{to_string(*x)} == name);
  }
  CHECK_FALSE(parse_dtype("float64"));
  CHECK_FALSE(parse_dtype(""));
}

TEST_CASE("a float tensor keeps its values and element count") {
  auto t = tensor::from_floats("x", {2, 3}, {1, 2, 3, 4, 5, 6.5f});
  CHECK(t.element_count() == 6);
  CHECK(t.data.size() == 24);
  CHECK(t.to_floats().back() == 6.5f);
}

TEST_CASE("element_count rejects negative and overflowing shapes") {
  tensor t;
  t.shape = {-1, 3};
  CHECK(t.element_count() == -1);
  t.shape = {int64_t{1} << 40, int64_t{1} << 40};
  CHECK(t.element_count() == -1);
  t.shape = {};
  CHECK(t.element_count() == 1);
}
