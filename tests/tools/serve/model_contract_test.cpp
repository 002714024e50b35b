#include <doctest/doctest.h>

#include "tools/serve/model_contract.hpp"

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

namespace {

/// tiny_bert's shape: text through WordPiece in the page, graph inputs
/// behind it, dynamic batching.
model_entry embedder() {
  model_entry e;
  e.family = model_family::text_embedding;
  e.inputs = {"input_ids", "attention_mask"};
  e.outputs = {"sentence_embedding"};
  processing_step text;
  text.kind = "wordpiece";
  e.preprocessing = {text};
  e.batch_dimension = true;
  e.batching.max_batch_size = 32;
  e.batching.max_delay_ms = 2;
  e.max_queue = 256;
  return e;
}

onnx_signature embedder_graph() {
  onnx_signature g;
  g.inputs = {{"input_ids", 7, {-1, -1}}, {"attention_mask", 7, {-1, -1}}};
  g.outputs = {{"sentence_embedding", 1, {-1, 64}}};
  return g;
}

kserve::parsed_infer asking(std::vector<std::string> names) {
  kserve::parsed_infer p;
  p.input_names = std::move(names);
  return p;
}

} // namespace

TEST_CASE("Triton's model configuration: max_batch_size and dynamic "
          "batching from the registry, dims without the batch") {
  auto c = triton_model_config("tiny_bert", embedder(), embedder_graph());
  CHECK(c["name"] == "tiny_bert");
  CHECK(c["platform"] == "onnxruntime_onnx");
  CHECK(c["max_batch_size"] == 32);
  CHECK(c["dynamic_batching"]["max_queue_delay_microseconds"] == 2000);
  CHECK(c["dynamic_batching"]["default_queue_policy"]["max_queue_size"] == 256);
  CHECK(c["input"] == nlohmann::json::parse(R"([{"name": "text", "data_type":
              "TYPE_STRING", "format": "FORMAT_NONE", "dims": [-1]}])"));
  CHECK(c["output"] == nlohmann::json::parse(R"([{"name": "sentence_embedding",
              "data_type": "TYPE_FP32", "dims": [64]}])"));
  CHECK(c["model_transaction_policy"]["decoupled"] == false);
  auto unbatched = embedder();
  unbatched.batching.max_batch_size = 1;
  auto u = triton_model_config("m", unbatched, embedder_graph());
  CHECK(u["max_batch_size"] == 0);
  CHECK_FALSE(u.contains("dynamic_batching"));
  CHECK(u["output"][0]["dims"] == nlohmann::json::parse("[-1, 64]"));
}

TEST_CASE("a request's inputs are checked against the model's at the edge: "
          "unknown and missing ones named") {
  auto e = embedder();
  CHECK(check_inputs("tiny_bert", e, asking({"text"})).empty());
  CHECK(check_inputs("tiny_bert", e, asking({"input_ids", "attention_mask"}))
          .empty());
  CHECK(check_inputs("tiny_bert", e, asking({"input"}))
        == "input 'input' is not one model 'tiny_bert' takes (it takes "
           "'text', 'input_ids', 'attention_mask')");
  CHECK(check_inputs("tiny_bert", e, asking({"a", "text", "b"}))
        == "inputs 'a', 'b' are not ones model 'tiny_bert' takes (it takes "
           "'text', 'input_ids', 'attention_mask')");
  CHECK(check_inputs("tiny_bert", e, asking({"input_ids"}))
        == "model 'tiny_bert' needs input 'attention_mask' (or its raw input "
           "'text')");
  e.preprocessing.clear();
  CHECK(check_inputs("m", e, asking({}))
        == "model 'm' needs inputs "
           "'input_ids', 'attention_mask'");
}
