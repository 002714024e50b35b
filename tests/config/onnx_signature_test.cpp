#include "config/onnx_signature.hpp"

#include <fstream>
#include <sstream>

#include <doctest/doctest.h>

#include "config/runtime_config.hpp"

using namespace webaccel;

namespace {

std::string model(const std::string& name) {
  return std::string{WEBACCEL_TEST_DATA} + "/../browser_assets/models/" + name;
}

std::string bytes_of(const std::string& path) {
  std::ifstream in{path, std::ios::binary};
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

} // namespace

TEST_CASE("a model's inputs and outputs come from its ONNX graph") {
  // The canary: y = 2x + 1 on 16 floats; its constants are initializers.
  auto canary = read_onnx_signature(model("webaccel_canary.onnx"));
  REQUIRE(canary.inputs.size() == 1);
  CHECK(canary.inputs[0].name == "x");
  CHECK(canary.inputs[0].elem_type == 1);
  CHECK(canary.inputs[0].dims == std::vector<int64_t>{16});
  REQUIRE(canary.outputs.size() == 1);
  CHECK(canary.outputs[0].name == "y");
  // tiny BERT: named axes are -1.
  auto bert = read_onnx_signature(model("tiny_bert/fp32.onnx"));
  REQUIRE(bert.inputs.size() == 3);
  CHECK(bert.inputs[0].name == "input_ids");
  CHECK(bert.inputs[0].elem_type == 7);
  CHECK(bert.inputs[0].dims == std::vector<int64_t>{-1, -1});
  REQUIRE(bert.outputs.size() == 2);
  CHECK(bert.outputs[1].name == "sentence_embedding");
  CHECK(bert.outputs[1].elem_type == 1);
  CHECK(bert.outputs[1].dims == std::vector<int64_t>{-1, 64});
}

TEST_CASE("a file that is not an ONNX model is refused by name") {
  CHECK_THROWS_WITH_AS(read_onnx_signature(model("missing.onnx")),
                       doctest::Contains("cannot read the model file"),
                       config_error);
  CHECK_THROWS_WITH_AS(
    read_onnx_signature(model("bert-base-uncased-vocab.txt")),
    doctest::Contains("not an ONNX model"), config_error);
  auto canary = bytes_of(model("webaccel_canary.onnx"));
  // Cut short at every length: an error, never a crash or a wrong answer.
  for (size_t n = 0; n + 1 < canary.size(); ++n) {
    CAPTURE(n);
    try {
      auto sig = parse_onnx_signature(std::string_view{canary}.substr(0, n));
      // A cut between whole fields can still parse (a cut past the graph
      // loses nothing of it); what it finds is then true.
      for (auto& v : sig.inputs)
        CHECK(v.name == "x");
      for (auto& v : sig.outputs)
        CHECK(v.name == "y");
    } catch (const std::runtime_error&) {
      // Fine: malformed.
    }
  }
}
