#include <doctest/doctest.h>

#include "tools/serve/kserve_routes.hpp"

using namespace webaccel;

TEST_CASE("model metadata has every tensor's datatype and shape") {
  onnx_signature graph;
  graph.inputs = {{"input_ids", 7, {-1, -1}},
                  {"pixel_values", 1, {-1, 3, 64, 64}}};
  graph.outputs = {{"text_embeds", 1, {-1, 32}},
                   {"image_embeds", 10, {-1, 32}}};
  model_entry e;
  e.family = model_family::vision;
  e.inputs = {"input_ids", "pixel_values"};
  e.outputs = {"text_embeds", "image_embeds"};
  SUBCASE("a model that takes tensors") {
    auto m = model_metadata("clip", e, graph);
    CHECK(m["inputs"] == nlohmann::json::parse(R"([
            {"name": "input_ids", "datatype": "INT64", "shape": [-1, -1]},
            {"name": "pixel_values", "datatype": "FP32", "shape": [-1, 3, 64, 64]}])"));
    CHECK(
      m["outputs"][1]
      == nlohmann::json::parse(
        R"({"name": "image_embeds", "datatype": "FP16", "shape": [-1, 32]})"));
  }
  SUBCASE("preprocessing takes BYTES; similarity adds the scores") {
    processing_step text;
    text.kind = "wordpiece";
    e.preprocessing = {text};
    e.postprocessing.kind = "similarity";
    auto m = model_metadata("clip", e, graph);
    CHECK(m["inputs"]
          == nlohmann::json::parse(
            R"([{"name": "text", "datatype": "BYTES", "shape": [-1]}])"));
    REQUIRE(m["outputs"].size() == 3);
    CHECK(m["outputs"][2]["name"] == "logits_per_image");
  }
  SUBCASE("CTC decoding answers text") {
    e.postprocessing.kind = "ctc";
    auto m = model_metadata("ocr", e, graph);
    CHECK(m["outputs"]
          == nlohmann::json::parse(
            R"([{"name": "text", "datatype": "BYTES", "shape": [1]}])"));
  }
}
