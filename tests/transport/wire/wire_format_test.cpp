#include "transport/wire/wire_format.hpp"

#include <random>
#include <string>
#include <vector>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

using namespace webaccel;
using namespace webaccel::wire;

namespace {

std::vector<uint8_t> frame_with_header(const std::string& head,
                                       std::vector<uint8_t> payload = {}) {
  std::vector<uint8_t> out;
  auto len = static_cast<uint32_t>(head.size());
  for (int i = 0; i < 4; ++i)
    out.push_back(static_cast<uint8_t>(len >> (8 * i)));
  out.insert(out.end(), head.begin(), head.end());
  out.insert(out.end(), payload.begin(), payload.end());
  return out;
}

} // namespace

TEST_CASE("an infer frame round-trips tensors bit for bit") {
  limits lim;
  infer_frame cmd{42,
                  "vad#1",
                  {tensor::from_floats("input", {1, 3}, {0.5f, -1, 2}),
                   tensor::from_int64s("sr", {}, {16000})},
                  {}};
  auto bytes = encode_infer(cmd, lim);
  REQUIRE(bytes);
  auto back = decode_infer(*bytes.value, lim);
  REQUIRE_MESSAGE(back, back.error);
  CHECK(back.value->id == 42);
  CHECK(back.value->key == "vad#1");
  REQUIRE(back.value->inputs.size() == 2);
  CHECK(back.value->inputs[0].to_floats() == std::vector<float>{0.5f, -1, 2});
  CHECK(back.value->inputs[1].type == dtype::int64);
  CHECK(back.value->inputs[1].shape.empty());
  CHECK(back.value->inputs[1].data == cmd.inputs[1].data);
}

TEST_CASE("a result frame carries outputs and the page's timings") {
  limits lim;
  result_frame res;
  res.id = 7;
  res.result.compute_ms = 0.25;
  res.result.page_ms = 0.5;
  res.result.outputs = {tensor::from_floats("output", {1, 1}, {0.9f})};
  auto bytes = encode_result(res, lim);
  REQUIRE(bytes);
  auto back = decode_result(*bytes.value, lim);
  REQUIRE_MESSAGE(back, back.error);
  CHECK(back.value->id == 7);
  CHECK(back.value->result.compute_ms == 0.25);
  CHECK(back.value->result.outputs[0].to_floats()[0] == 0.9f);
}

TEST_CASE("raw inputs travel after the tensors with their media types") {
  limits lim;
  infer_frame cmd{7,
                  "ocr",
                  {tensor::from_int64s("n", {1}, {3})},
                  {raw_input::text("héllo"),
                   raw_input{"image", "image/png", {0x89, 'P', 'N', 'G'}}}};
  auto bytes = encode_infer(cmd, lim);
  REQUIRE(bytes);
  auto back = decode_infer(*bytes.value, lim);
  REQUIRE_MESSAGE(back, back.error);
  REQUIRE(back.value->raw.size() == 2);
  CHECK(back.value->raw[0].name == "text");
  CHECK(back.value->raw[0].media_type == "text/plain");
  CHECK(
    std::string(back.value->raw[0].data.begin(), back.value->raw[0].data.end())
    == "héllo");
  CHECK(back.value->raw[1].data == std::vector<uint8_t>{0x89, 'P', 'N', 'G'});
  CHECK(back.value->inputs.at(0).name == "n");
  SUBCASE("a raw input needs a name") {
    cmd.raw[0].name.clear();
    CHECK_FALSE(encode_infer(cmd, lim));
  }
}

TEST_CASE("a batch names the request of every input, and of every output") {
  limits lim;
  page_infer_request req;
  req.batch_items = 2;
  req.raw = {raw_input::text("a"), raw_input::text("bb")};
  req.raw_items = {0, 1};
  auto bytes = encode_infer(7, "k", req, lim);
  REQUIRE(bytes);
  std::string frame(bytes.value->begin() + 4, bytes.value->end());
  CHECK(frame.find(R"("items":2)") != std::string::npos);
  CHECK(frame.find(R"("item":1)") != std::string::npos);
  req.raw_items.pop_back();
  CHECK(encode_infer(7, "k", req, lim).error
        == "a batch must give every input its item");
  result_frame res{7, {}};
  res.result.outputs = {tensor::from_floats("e", {1}, {1}),
                        tensor::from_floats("e", {1}, {2})};
  res.result.output_items = {1, 0};
  auto back = decode_result(*encode_result(res, lim).value, lim);
  REQUIRE_MESSAGE(back, back.error);
  CHECK(back.value->result.output_items == std::vector<uint32_t>{1, 0});
}

TEST_CASE("a load command names every file by its sha256 URL") {
  model_spec spec;
  spec.name = "bert";
  spec.variant.precision = "q8";
  spec.variant.parts["model"] = {"/x/q8.onnx", std::string(64, 'a'), 10};
  processing_step wordpiece;
  wordpiece.kind = "wordpiece";
  wordpiece.options = R"({"max_length":64})";
  wordpiece.files["vocab"] = {"/x/vocab.txt", std::string(64, 'b'), 20};
  spec.preprocessing.push_back(wordpiece);
  spec.warmup = true;
  auto doc
    = nlohmann::json::parse(encode_load({3, "bert/q8@wasm", spec, "wasm"}));
  CHECK(doc["type"] == "load");
  CHECK(doc["parts"]["model"]["url"] == "/models/" + std::string(64, 'a'));
  CHECK(doc["parts"]["model"]["size_bytes"] == 10);
  CHECK(doc["preprocessing"][0]["kind"] == "wordpiece");
  CHECK(doc["preprocessing"][0]["max_length"] == 64);
  CHECK(doc["preprocessing"][0]["vocab"]["url"]
        == "/models/" + std::string(64, 'b'));
  CHECK(doc["postprocessing"]["kind"] == "none");
  CHECK(doc["warmup"] == true);
  CHECK(doc["parallel_loading"] == false);
}

TEST_CASE("encode_infer refuses tensors whose bytes do not match the shape") {
  limits lim;
  auto t = tensor::from_floats("x", {2, 2}, {1, 2, 3});
  auto bytes = encode_infer({1, "k", {t}, {}}, lim);
  REQUIRE_FALSE(bytes);
  CHECK(bytes.error.find("tensor 'x' holds 12 bytes") != std::string::npos);
}

TEST_CASE("oversized frames are rejected in both directions") {
  limits lim;
  lim.max_message_bytes = 1024;
  auto big = tensor::from_floats("x", {512}, std::vector<float>(512, 1.0f));
  auto bytes = encode_infer({1, "k", {big}, {}}, lim);
  REQUIRE_FALSE(bytes);
  CHECK(bytes.error.find("exceeds the limit of 1024") != std::string::npos);
  auto res = decode_result(std::vector<uint8_t>(2048, 0), lim);
  REQUIRE_FALSE(res);
  CHECK(res.error.find("exceeds the limit") != std::string::npos);
  CHECK_FALSE(decode_page_text(std::string(2048, ' '), lim));
}

TEST_CASE("malformed binary frames give a reason, never a crash") {
  limits lim;
  SUBCASE("too short") {
    CHECK(decode_result({1, 2}, lim).error
          == "binary frame shorter than its 4-byte header length");
  }
  SUBCASE("header length past the end") {
    CHECK(decode_result({10, 0, 0, 0, '{', '}'}, lim).error
          == "binary frame header length 10 runs past the frame end");
  }
  SUBCASE("header length over the limit") {
    CHECK(decode_result({0, 0, 0, 1}, lim).error.find("exceeds the limit")
          != std::string::npos);
  }
  SUBCASE("header not JSON") {
    CHECK(decode_result(frame_with_header("nope"), lim).error
          == "binary frame header is not a JSON object");
  }
  SUBCASE("no tensors array") {
    CHECK(
      decode_result(frame_with_header(R"({"type":"result","id":1})"), lim).error
      == "binary frame header lacks a 'tensors' array");
  }
  SUBCASE("byte range outside the payload") {
    auto f = frame_with_header(
      R"({"type":"result","id":1,"tensors":[{"name":"o","dtype":"float32",)"
      R"("shape":[2],"offset":4,"length":8}]})",
      std::vector<uint8_t>(8, 0));
    CHECK(decode_result(f, lim).error
          == "tensor 'o' has a byte range outside the frame");
  }
  SUBCASE("length disagrees with the shape") {
    auto f = frame_with_header(
      R"({"type":"result","id":1,"tensors":[{"name":"o","dtype":"float32",)"
      R"("shape":[3],"offset":0,"length":8}]})",
      std::vector<uint8_t>(8, 0));
    CHECK(decode_result(f, lim).error
          == "tensor 'o' has a length that does not match its shape");
  }
  SUBCASE("negative dimension") {
    auto f = frame_with_header(
      R"({"type":"result","id":1,"tensors":[{"name":"o","dtype":"float32",)"
      R"("shape":[-1],"offset":0,"length":0}]})");
    CHECK(decode_result(f, lim).error.find("non-negative")
          != std::string::npos);
  }
  SUBCASE("unknown dtype") {
    auto f = frame_with_header(
      R"({"type":"result","id":1,"tensors":[{"name":"o","dtype":"complex",)"
      R"("shape":[],"offset":0,"length":0}]})");
    CHECK(decode_result(f, lim).error == "tensor 'o' has an unknown dtype");
  }
  SUBCASE("huge shape does not overflow into a small length") {
    auto f = frame_with_header(
      R"({"type":"result","id":1,"tensors":[{"name":"o","dtype":"float32",)"
      R"("shape":[4611686018427387904,4],"offset":0,"length":0}]})");
    CHECK_FALSE(decode_result(f, lim));
  }
  SUBCASE("an infer frame is not a result") {
    auto bytes = encode_infer({1, "k", {}, {}}, lim);
    CHECK(decode_result(*bytes.value, lim).error
          == "binary frame from the page is not a 'result'");
  }
}

TEST_CASE("hello carries the probed capabilities and the browser version") {
  limits lim;
  browser_capabilities caps;
  caps.user_agent = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 "
                    "(KHTML, like Gecko) Chrome/156.0.8078.79 Safari/537.36";
  caps.webgpu = {true, ""};
  caps.adapter = {"google", "swiftshader", "", "", true};
  caps.webnn = {false, "NotSupportedError: WebNN is not supported"};
  caps.wasm = {true, ""};
  caps.wasm_simd = true;
  auto msg = decode_page_text(encode_hello(caps), lim);
  REQUIRE_MESSAGE(msg, msg.error);
  auto& got = std::get<hello>(*msg.value).capabilities;
  CHECK(got.browser_version == "156.0.8078.79");
  CHECK(got.adapter.fallback);
  CHECK(got.adapter.architecture == "swiftshader");
  CHECK_FALSE(got.webnn.available);
  CHECK(got.webnn.reason == caps.webnn.reason);
  CHECK(got.wasm_simd);
}

TEST_CASE("browser versions are read from Chromium, Edge and Firefox agents") {
  CHECK(browser_version_from_user_agent("Mozilla/5.0 (X11; Linux x86_64; "
                                        "rv:153.0) Gecko/20100101 "
                                        "Firefox/153.0")
        == "153.0");
  CHECK(browser_version_from_user_agent("... Chrome/130.0.0.0 Safari/537.36 "
                                        "Edg/130.0.2849.80")
        == "130.0.2849.80");
  CHECK(browser_version_from_user_agent("curl/8.0").empty());
}

TEST_CASE("a page's frame nested deeper than the bound is refused before "
          "it is read") {
  limits lim;
  auto deep = std::string(100000, '[') + std::string(100000, ']');
  CHECK(decode_page_text(R"({"type":"hello","capabilities":)" + deep + "}", lim)
          .error
        == "text frame is nested deeper than 64 levels of arrays and objects");
  // Within the header's own size limit.
  auto header = std::string(30000, '[') + std::string(30000, ']');
  CHECK(decode_result(frame_with_header(header), lim).error
        == "binary frame header is nested deeper than 64 levels of arrays and "
           "objects");
}

TEST_CASE("control messages decode and bad ones are named") {
  limits lim;
  auto err = decode_page_text(
    encode_page_error({3, "GPUOutOfMemoryError", "out of memory"}), lim);
  REQUIRE(err);
  CHECK(std::get<page_error>(*err.value).name == "GPUOutOfMemoryError");
  loaded l{
    5, {"k", "wasm", "wasm", {"input", "state", "sr"}, {"output"}, 12, 0, {}}};
  auto ok = decode_page_text(encode_loaded(l), lim);
  REQUIRE(ok);
  CHECK(std::get<loaded>(*ok.value).model.input_names.size() == 3);
  CHECK(decode_page_text("[1,2]", lim).error
        == "text frame is not a JSON object");
  CHECK(decode_page_text(R"({"type":"pong"})", lim).error
        == "'pong' message lacks a numeric 'id'");
  CHECK(decode_page_text(R"({"type":"launch","id":1})", lim).error
        == "unknown message type 'launch'");
  CHECK(decode_page_text("{\"type\":\"hello\"", lim).error
        == "text frame is not a JSON object");
}

TEST_CASE("invalid UTF-8 in names is replaced, not thrown") {
  limits lim;
  auto t = tensor::from_floats(std::string{"\xff\xfe"}, {1}, {1.0f});
  auto bytes = encode_infer({1, "k", {t}, {}}, lim);
  CHECK(bytes);
}

TEST_CASE("decoders survive thousands of mutated frames (fixed seed)") {
  limits lim;
  lim.max_message_bytes = 4096;
  std::mt19937 rng{20261122};
  result_frame res{9, {}};
  res.result.outputs = {tensor::from_floats("output", {1, 2}, {0.5f, 1}),
                        tensor::from_int64s("n", {1}, {7})};
  auto valid_binary = *encode_result(res, lim).value;
  auto valid_text
    = encode_loaded({1, {"k", "wasm", "wasm", {"a"}, {"b"}, 1, 0, {}}});
  size_t accepted = 0;
  for (int i = 0; i < 5000; ++i) {
    auto bin = valid_binary;
    auto text = valid_text;
    auto flips = 1 + rng() % 4;
    for (size_t j = 0; j < flips; ++j) {
      bin[rng() % bin.size()] = static_cast<uint8_t>(rng());
      text[rng() % text.size()] = static_cast<char>(rng());
    }
    if (rng() % 8 == 0)
      bin.resize(rng() % bin.size());
    auto r = decode_result(bin, lim);
    auto t = decode_page_text(text, lim);
    // Accepted frames must be self-consistent; rejected ones must say why.
    if (r) {
      ++accepted;
      for (auto& out : r.value->result.outputs)
        CHECK(out.data.size()
              == size_t(out.element_count()) * element_size(out.type));
    } else {
      CHECK_FALSE(r.error.empty());
    }
    if (!t)
      CHECK_FALSE(t.error.empty());
  }
  // Mutating tensor bytes keeps many frames valid; header damage does not.
  CHECK(accepted > 0);
  CHECK(accepted < 5000);
}
