// The model registry section: variants, parts, processing steps, and an
// error naming the key path for each way to get them wrong.
#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "config/runtime_config.hpp"

using namespace webaccel;

namespace {

const std::string hash_a = std::string(64, 'a');
const std::string hash_b = std::string(64, 'b');

std::string file(const std::string& path, const std::string& hash) {
  return R"({"path": ")" + path + R"(", "sha256": ")" + hash
         + R"(", "size_bytes": 10})";
}

runtime_config parse_models(const std::string& models) {
  return parse_config("{\"models\": [" + models + "]}", "/base", "test.json");
}

std::string error_of(const std::string& models) {
  try {
    parse_models(models);
  } catch (const config_error& e) {
    return e.what();
  }
  return "no error";
}

} // namespace

TEST_CASE("variants by precision, with parts and processing steps") {
  auto cfg = parse_models(R"({
    "name": "clip", "family": "multimodal", "synthetic_weights": true,
    "preprocessing": [
      { "kind": "wordpiece", "max_length": 77, "vocab": )"
                          + file("vocab.txt", hash_b) + R"( },
      { "kind": "image", "input": "pixel_values", "width": 64, "height": 64,
        "mean": [0.5, 0.5, 0.5], "std": 0.5 }
    ],
    "postprocessing": { "kind": "similarity", "scale": 100 },
    "variants": [
      { "precision": "fp32", "parts": { "text": )"
                          + file("t32.onnx", hash_a) + R"(, "image": )"
                          + file("/abs/i32.onnx", hash_a) + R"( } },
      { "precision": "q8", "file": )"
                          + file("q8.onnx", hash_a) + R"( },
      { "precision": "q8", "mixed_precision": true, "file": )"
                          + file("q8m.onnx", hash_a) + R"( }
    ]
  })");
  auto& m = cfg.models.at("clip");
  CHECK(m.synthetic_weights);
  REQUIRE(m.variants.size() == 3);
  CHECK(m.variants[0].parts.at("text").path == "/base/t32.onnx");
  CHECK(m.variants[0].parts.at("image").path == "/abs/i32.onnx");
  REQUIRE(m.preprocessing.size() == 2);
  CHECK(m.preprocessing[0].kind == "wordpiece");
  CHECK(m.preprocessing[0].files.at("vocab").path == "/base/vocab.txt");
  CHECK(nlohmann::json::parse(m.preprocessing[0].options)
        == nlohmann::json{{"max_length", 77}});
  CHECK(m.postprocessing.kind == "similarity");
  CHECK(files_of(m).size() == 5);
  SUBCASE("a variant is picked by precision, mixed where asked and offered") {
    CHECK(m.variant("q8", false)->parts.at("model").path == "/base/q8.onnx");
    CHECK(m.variant("q8", true)->parts.at("model").path == "/base/q8m.onnx");
    CHECK(m.variant("fp32", true)->precision == "fp32");
    CHECK(m.variant("q4", false) == nullptr);
    CHECK(m.variant_names() == "fp32, q8, q8 (mixed)");
  }
  SUBCASE("a spec carries one variant and the steps; its page key names both") {
    auto spec = make_spec(m, *m.variant("q8", true));
    CHECK(spec.synthetic_weights);
    CHECK(spec.preprocessing.size() == 2);
    CHECK(files_of(spec).size() == 2); // the part and the vocabulary
    CHECK(spec.page_key("wasm") == "clip/q8-mixed@wasm");
  }
}

TEST_CASE("every registry error names the key path and what is wrong") {
  auto one = [](const std::string& rest) {
    return R"({"name": "m", "family": "text_embedding", )" + rest + "}";
  };
  CHECK(error_of(one("\"variants\": []"))
        == "$.models[0].variants: expected a non-empty array of variants");
  CHECK(error_of(one("\"variants\": [{\"precision\": \"fp8\", \"file\": "
                     + file("a", hash_a) + "}]"))
        == "$.models[0].variants[0].precision: unknown precision 'fp8' "
           "(expected fp32, fp16, q8, q4)");
  CHECK(error_of(one("\"variants\": [{\"precision\": \"fp32\"}]"))
        == "$.models[0].variants[0]: needs exactly one of 'file' or 'parts'");
  CHECK(error_of(one("\"variants\": [{\"file\": " + file("a", hash_a)
                     + "}, {\"file\": " + file("b", hash_a) + "}]"))
        == "$.models[0].variants[1]: a second fp32 variant");
  CHECK(error_of(one("\"variants\": [{\"file\": {\"path\": \"a\", \"sha256\": "
                     "\""
                     + hash_a + "\"}}]"))
        == "$.models[0].variants[0].file.size_bytes: is required");
  CHECK(error_of(one("\"path\": \"a\""))
        == "$.models[0].sha256: expected 64 lower-case hex digits");
  CHECK(error_of(one("\"sha256\": \"x\""))
        == "$.models[0]: needs 'variants' (or 'path', 'sha256' and "
           "'size_bytes' for one file)");
  auto with_file = "\"variants\": [{\"file\": " + file("a", hash_a) + "}], ";
  CHECK(error_of(one(with_file + "\"preprocessing\": {\"kind\": \"fft\"}"))
        == "$.models[0].preprocessing.kind: unknown kind 'fft' (expected one "
           "of: none, "
           "audio_frames, image, wordpiece)");
  CHECK(error_of(one(with_file + "\"preprocessing\": {\"kind\": \"ctc\"}"))
        == "$.models[0].preprocessing.kind: unknown kind 'ctc' (expected one "
           "of: none, "
           "audio_frames, image, wordpiece)");
  CHECK(
    error_of(one(with_file + "\"preprocessing\": {\"kind\": \"wordpiece\"}"))
    == "$.models[0].preprocessing.vocab: is required for kind 'wordpiece'");
  CHECK(
    error_of(one(with_file
                 + "\"preprocessing\": {\"kind\": \"image\", \"width\": -3}"))
    == "$.models[0].preprocessing.width: expected a positive integer, got "
       "-3");
  CHECK(error_of(one(with_file
                     + "\"preprocessing\": {\"kind\": \"image\", \"resize\": "
                       "\"crop\"}"))
        == "$.models[0].preprocessing.resize: unknown value \"crop\" (expected "
           "fit_height, "
           "multiple_of_32, stretch)");
  CHECK(
    error_of(one(with_file
                 + "\"preprocessing\": {\"kind\": \"image\", \"colour\": 1}"))
    == "$.models[0].preprocessing: unknown key 'colour' for kind 'image'");
  CHECK(error_of(one(with_file
                     + "\"preprocessing\": [{\"kind\": \"image\"}, {\"kind\": "
                       "\"image\"}]"))
        == "$.models[0].preprocessing: two steps take the raw input 'image'");
  CHECK(error_of(one(with_file + "\"batching\": {\"max_batch_size\": 8}"))
        == "$.models[0].batching.max_batch_size: batching needs "
           "\"batch_dimension\": true "
           "(the first dimension of every input and output is the batch)");
}
