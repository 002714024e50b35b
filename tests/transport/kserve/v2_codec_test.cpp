#include "transport/kserve/v2_codec.hpp"

#include <cstring>

#include <doctest/doctest.h>

using namespace webaccel;
using namespace webaccel::kserve;
using json = nlohmann::json;

namespace {

std::string le32(uint32_t n) {
  std::string out;
  for (int i = 0; i < 4; ++i)
    out += static_cast<char>((n >> (8 * i)) & 0xff);
  return out;
}

} // namespace

TEST_CASE("a JSON infer request becomes typed tensors, nested data "
          "flattened") {
  auto body = json{
    {"id", "r1"},
    {"inputs",
     {{{"name", "x"},
       {"shape", {2, 2}},
       {"datatype", "FP32"},
       {"data", {{1.5, 2}, {3, 4}}}},
      {{"name", "ids"},
       {"shape", {3}},
       {"datatype", "INT64"},
       {"data", {101, -7, 0}}},
      {{"name", "mask"},
       {"shape", {2}},
       {"datatype", "BOOL"},
       {"data", {true, false}}},
      {{"name", "h"}, {"shape", {1}}, {"datatype", "FP16"}, {"data", {0.5}}}}},
    {"outputs", {{{"name", "y"}, {"parameters", {{"binary_data", true}}}}}}};
  auto r = parse_infer(body.dump(), std::nullopt);
  REQUIRE_MESSAGE(r, r.error);
  auto& req = r.value->request;
  REQUIRE(req.inputs.size() == 4);
  CHECK(r.value->id == "r1");
  CHECK(req.inputs[0].shape == std::vector<int64_t>{2, 2});
  CHECK(req.inputs[0].to_floats() == std::vector<float>{1.5f, 2, 3, 4});
  CHECK(req.inputs[1].type == dtype::int64);
  int64_t second;
  std::memcpy(&second, req.inputs[1].data.data() + 8, 8);
  CHECK(second == -7);
  CHECK(req.inputs[2].data == std::vector<uint8_t>{1, 0});
  CHECK(req.inputs[3].data == std::vector<uint8_t>{0x00, 0x38}); // 0.5 in FP16
  CHECK(r.value->outputs == std::vector<std::string>{"y"});
  CHECK(r.value->binary_outputs.count("y") == 1);
}

TEST_CASE("the binary tensor data extension: tensors and BYTES elements "
          "after the JSON") {
  float xs[3] = {1, 2, 3};
  std::string floats(reinterpret_cast<const char*>(xs), sizeof xs);
  std::string png = "\x89PNG\r\n\x1a\n....";
  std::string bytes = le32(5) + "hello" + le32(uint32_t(png.size())) + png;
  auto head = json{{"inputs",
                    {{{"name", "x"},
                      {"shape", {3}},
                      {"datatype", "FP32"},
                      {"parameters", {{"binary_data_size", floats.size()}}}},
                     {{"name", "raw"},
                      {"shape", {2}},
                      {"datatype", "BYTES"},
                      {"parameters", {{"binary_data_size", bytes.size()}}}}}}}
                .dump();
  auto r = parse_infer(head + floats + bytes, head.size());
  REQUIRE_MESSAGE(r, r.error);
  auto& req = r.value->request;
  REQUIRE(req.inputs.size() == 1);
  CHECK(req.inputs[0].to_floats() == std::vector<float>{1, 2, 3});
  REQUIRE(req.raw.size() == 2);
  CHECK(req.raw[0].name == "text");
  CHECK(req.raw[0].media_type == "text/plain");
  CHECK(std::string(req.raw[0].data.begin(), req.raw[0].data.end()) == "hello");
  CHECK(req.raw[1].name == "image");
  CHECK(req.raw[1].media_type == "image/png");
  SUBCASE("a size that passes the end of the body is refused") {
    auto bad = parse_infer(head + floats, head.size());
    REQUIRE_FALSE(bad);
    CHECK(bad.error
          == "input 'raw': binary_data_size " + std::to_string(bytes.size())
               + " passes the end of the body");
  }
  SUBCASE("bytes that belong to no input are refused") {
    auto bad = parse_infer(head + floats + bytes + "xx", head.size());
    CHECK(bad.error == "2 bytes of binary data belong to no input");
  }
}

TEST_CASE("bad requests are refused with what is wrong and where") {
  auto err = [](const json& body) {
    auto r = parse_infer(body.dump(), std::nullopt);
    REQUIRE_FALSE(r);
    return r.error;
  };
  auto input = [](json shape, std::string datatype, json data) {
    return json{{"inputs",
                 {{{"name", "x"},
                   {"shape", shape},
                   {"datatype", datatype},
                   {"data", data}}}}};
  };
  CHECK(parse_infer("{not json", std::nullopt).error
        == "the request body is not valid JSON");
  CHECK(err(json::array()) == "the request body must be a JSON object");
  CHECK(err(json::object()) == "'inputs' must be a non-empty array");
  CHECK(err(input({2}, "FP32", {1, 2, 3}))
        == "input 'x': shape [2] holds 2 elements, 'data' 3");
  CHECK(err(input({1}, "FP64", {1}))
        == "input 'x': datatype FP64 is not one these models take (BOOL, "
           "UINT8, INT8, INT32, INT64, FP16, FP32, BYTES)");
  CHECK(err(input({1}, "FLOAT", {1})) == "input 'x': unknown datatype 'FLOAT'");
  CHECK(err(input({1}, "UINT8", {256}))
        == "input 'x': data[0]: expected an integer from 0 to 255, got 256");
  CHECK(err(input({1}, "INT32", {"7"}))
        == "input 'x': data[0]: expected an integer from -2147483648 to "
           "2147483647, got \"7\"");
  CHECK(err(input({1}, "FP32", {"a"}))
        == "input 'x': data[0]: expected a number, got \"a\"");
  CHECK(err(input({-1}, "FP32", {1}))
        == "input 'x': 'shape' must hold integers >= 0, got [-1]");
  CHECK(err(input({1}, "BYTES", {1}))
        == "input 'x': BYTES data must be strings, got 1");
  CHECK(err(input({100000, 100000}, "FP32", {1}))
        == "input 'x': more than 67108864 elements");
  CHECK(err(json{{"inputs", {{{"shape", {1}}}}}})
        == "inputs[0]: 'name' must be a non-empty string");
}

TEST_CASE("a request nested deeper than the bound is refused before any "
          "recursion, whatever its size") {
  // Triton's qa/L0_http nested_json_crash, at the depth that killed serve.
  auto deep = std::string(200000, '[') + "1" + std::string(200000, ']');
  auto body = R"({"inputs":[{"name":"input_ids","shape":[1],)"
              R"("datatype":"INT64","data":)"
              + deep + "}]}";
  auto r = parse_infer(body, std::nullopt);
  REQUIRE_FALSE(r);
  CHECK(r.error
        == "the request body is nested deeper than 64 levels of "
           "arrays and objects");
  // Deep 'parameters' (copied by value before) are refused the same way.
  auto params = std::string(100000, '[') + std::string(100000, ']');
  CHECK_FALSE(parse_infer(R"({"inputs":[{"name":"x","shape":[1],)"
                          R"("datatype":"FP32","data":[1],"parameters":)"
                            + params + "}]}",
                          std::nullopt));
  // Nesting that matches the shape is fine up to the bound.
  json data = 1.0;
  json shape = json::array();
  for (int i = 0; i < 32; ++i) {
    data = json::array({data});
    shape.push_back(1);
  }
  auto ok = parse_infer(json{{"inputs",
                              {{{"name", "x"},
                                {"shape", shape},
                                {"datatype", "FP32"},
                                {"data", data}}}}}
                          .dump(),
                        std::nullopt);
  CHECK_MESSAGE(ok, ok.error);
}

TEST_CASE("an input named twice, a rank past the bound and fields of the "
          "wrong type are refused by name") {
  auto x
    = json{{"name", "x"}, {"shape", {1}}, {"datatype", "FP32"}, {"data", {1}}};
  auto twice = parse_infer(json{{"inputs", {x, x}}}.dump(), std::nullopt);
  REQUIRE_FALSE(twice);
  CHECK(twice.error == "input 'x' is given twice");
  auto wide = x;
  wide["shape"] = json(std::vector<int>(33, 1));
  CHECK(parse_infer(json{{"inputs", {wide}}}.dump(), std::nullopt).error
        == "input 'x': a shape of at most 32 dimensions, got 33");
  // binary_data_output of another type threw nlohmann's type_error on the
  // I/O thread; now it reads as not asked.
  auto typed = parse_infer(
    json{{"parameters", {{"binary_data_output", 1}}}, {"inputs", {x}}}.dump(),
    std::nullopt);
  REQUIRE_MESSAGE(typed, typed.error);
  CHECK_FALSE(typed.value->binary_all);
  auto odd = x;
  odd["parameters"] = {{"binary_data_size", "12"}};
  CHECK(parse_infer(json{{"inputs", {odd}}}.dump(), std::nullopt).error
        == "input 'x': 'binary_data_size' must be an integer >= 0");
  CHECK(parse_infer(json{{"inputs", {x}}, {"outputs", {{{"name", 3}}}}}.dump(),
                    std::nullopt)
          .error
        == "each of 'outputs' needs a 'name'");
}

TEST_CASE("a result becomes the protocol's response, provenance in its "
          "parameters; binary outputs follow the JSON") {
  infer_result res;
  res.model = "m";
  res.origin.browser = "chromium";
  res.origin.platform = "wasm";
  res.origin.precision = "fp32";
  res.time.total = 4.5;
  res.outputs.push_back(tensor::from_floats("y", {2}, {0.25f, -1}));
  std::string text = "héllo";
  tensor t;
  t.name = "text";
  t.type = dtype::uint8;
  t.shape = {int64_t(text.size())};
  t.data.assign(text.begin(), text.end());
  res.outputs.push_back(t);
  parsed_infer asked;
  asked.id = "r9";
  auto out = encode_result("m", asked, res);
  auto doc = json::parse(out.json);
  CHECK(out.binary.empty());
  CHECK(doc["model_name"] == "m");
  CHECK(doc["id"] == "r9");
  CHECK(doc["outputs"][0]["datatype"] == "FP32");
  CHECK(doc["outputs"][0]["shape"] == json{2});
  CHECK(doc["outputs"][0]["data"] == json{0.25, -1.0});
  CHECK(doc["outputs"][1]["datatype"] == "BYTES");
  CHECK(doc["outputs"][1]["data"] == json{text});
  CHECK(doc["parameters"]["browser"] == "chromium");
  CHECK(doc["parameters"]["platform"] == "wasm");
  CHECK(doc["parameters"]["simulated"] == false);
  CHECK(doc["parameters"]["total_ms"] == 4.5);
  SUBCASE("only the outputs asked for, in binary") {
    asked.outputs = {"y"};
    asked.binary_outputs = {"y"};
    auto bin = encode_result("m", asked, res);
    auto d = json::parse(bin.json);
    REQUIRE(d["outputs"].size() == 1);
    CHECK(d["outputs"][0]["parameters"]["binary_data_size"] == 8);
    CHECK_FALSE(d["outputs"][0].contains("data"));
    REQUIRE(bin.binary.size() == 8);
    float back[2];
    std::memcpy(back, bin.binary.data(), 8);
    CHECK(back[0] == 0.25f);
  }
}

TEST_CASE("FP16 round trips through the protocol's JSON") {
  auto body = json{{"inputs",
                    {{{"name", "h"},
                      {"shape", {4}},
                      {"datatype", "FP16"},
                      {"data", {1.0, -2.5, 65504.0, 0.0001}}}}}};
  auto r = parse_infer(body.dump(), std::nullopt);
  REQUIRE(r);
  infer_result res;
  res.outputs.push_back(r.value->request.inputs[0]);
  auto doc = json::parse(encode_result("m", {}, res).json);
  auto data = doc["outputs"][0]["data"];
  CHECK(data[0].get<double>() == 1.0);
  CHECK(data[1].get<double>() == -2.5);
  CHECK(data[2].get<double>() == 65504.0);
  CHECK(data[3].get<double>() == doctest::Approx(0.0001).epsilon(0.01));
  CHECK(error_body("invalid_request", "no model 'x'")
        == R"({"error":"invalid_request: no model 'x'"})");
}
