// The wire format's golden frames (tests/transport/wire/golden/): one file
// per message kind, as the runtime and the page exchange them. This test
// decodes each and encodes it again byte for byte; the page's tests
// (browser_assets/tests/golden_frames.test.js) do the same with the same
// files, so that the two sides cannot drift apart. WEBACCEL_WRITE_GOLDEN=1
// writes the files from the encoders instead: a change of the format is a
// change of these files, reviewed as such.
#include <cstdlib>
#include <fstream>
#include <iterator>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "transport/wire/wire_bundle.hpp"
#include "transport/wire/wire_format.hpp"

using namespace webaccel;
using namespace webaccel::wire;

namespace {

std::string golden_path(const std::string& name) {
  return std::string{WEBACCEL_TEST_DATA} + "/transport/wire/golden/" + name;
}

bool writing() {
  auto w = std::getenv("WEBACCEL_WRITE_GOLDEN");
  return w != nullptr && std::string{w} == "1";
}

std::vector<uint8_t> read_bytes(const std::string& name) {
  std::ifstream in{golden_path(name), std::ios::binary};
  REQUIRE_MESSAGE(in, "missing golden frame " << name);
  return {std::istreambuf_iterator<char>{in}, {}};
}

std::string read_text(const std::string& name) {
  auto bytes = read_bytes(name);
  return {bytes.begin(), bytes.end()};
}

/// Writes the encoder's output (generating) or reads the file (testing).
std::vector<uint8_t> golden(const std::string& name,
                            const std::vector<uint8_t>& encoded) {
  if (writing())
    std::ofstream{golden_path(name), std::ios::binary}.write(
      reinterpret_cast<const char*>(encoded.data()),
      static_cast<std::streamsize>(encoded.size()));
  return read_bytes(name);
}

std::string golden(const std::string& name, const std::string& encoded) {
  auto bytes = golden(name,
                      std::vector<uint8_t>{encoded.begin(), encoded.end()});
  return {bytes.begin(), bytes.end()};
}

infer_frame sample_infer() {
  infer_frame cmd{7, "tiny_bert/fp32@wasm", {}, {}};
  cmd.inputs = {tensor::from_floats("input", {1, 3}, {0.5f, -1.25f, 3.0f}),
                tensor::from_int64s("sr", {}, {16000})};
  cmd.raw = {raw_input::text("hello world")};
  return cmd;
}

result_frame sample_result() {
  result_frame res{9, {}};
  res.result.outputs = {tensor::from_floats("logits", {1, 2}, {0.25f, 0.75f}),
                        tensor::from_floats("logits", {1, 2}, {0.5f, 0.5f})};
  res.result.output_items = {0, 1};
  res.result.compute_ms = 1.5;
  res.result.page_ms = 2.25;
  return res;
}

} // namespace

TEST_CASE("the golden infer frame decodes and encodes again byte for byte") {
  limits lim;
  auto file = golden("infer.bin", *encode_infer(sample_infer(), lim).value);
  auto cmd = decode_infer(file, lim);
  REQUIRE_MESSAGE(cmd, cmd.error);
  CHECK(cmd.value->key == "tiny_bert/fp32@wasm");
  REQUIRE(cmd.value->inputs.size() == 2);
  CHECK(cmd.value->inputs[0].to_floats()
        == std::vector<float>{0.5f, -1.25f, 3.0f});
  REQUIRE(cmd.value->raw.size() == 1);
  CHECK(cmd.value->raw[0].media_type == "text/plain");
  CHECK(*encode_infer(*cmd.value, lim).value == file);
}

TEST_CASE("the golden result frame decodes and encodes again byte for byte") {
  limits lim;
  auto file = golden("result.bin", *encode_result(sample_result(), lim).value);
  auto res = decode_result(file, lim);
  REQUIRE_MESSAGE(res, res.error);
  CHECK(res.value->id == 9);
  CHECK(res.value->result.output_items == std::vector<uint32_t>{0, 1});
  CHECK(res.value->result.compute_ms == 1.5);
  CHECK(*encode_result(*res.value, lim).value == file);
}

TEST_CASE("the golden bundle splits into its frames and packs again") {
  limits lim;
  std::vector<bundled_frame> frames{
    {true, *encode_result(sample_result(), lim).value},
    {false, [] {
       auto text = encode_page_error({11, "RangeError", "out of memory"});
       return std::vector<uint8_t>{text.begin(), text.end()};
     }()}};
  auto file = golden("bundle.bin", *encode_bundle(frames, lim).value);
  auto split = decode_bundle(file, lim);
  REQUIRE_MESSAGE(split, split.error);
  REQUIRE(split.value->size() == 2);
  CHECK((*split.value)[0].binary);
  CHECK_FALSE((*split.value)[1].binary);
  CHECK(*encode_bundle(*split.value, lim).value == file);
}

TEST_CASE("the page's golden text frames decode and encode again") {
  limits lim;
  loaded_model model{"tiny_bert/fp32@wasm",
                     "wasm",
                     "wasm",
                     {"input_ids"},
                     {"logits"},
                     350.5,
                     12.25,
                     {}};
  auto loaded_file = golden("loaded.json", encode_loaded({3, model}));
  auto error_file = golden("error.json",
                           encode_page_error({4, "Error", "no such op"}));
  for (auto& file : {loaded_file, error_file}) {
    CAPTURE(file);
    auto msg = decode_page_text(file, lim);
    REQUIRE_MESSAGE(msg, msg.error);
    std::string again;
    if (auto l = std::get_if<wire::loaded>(&*msg.value))
      again = encode_loaded(*l);
    else if (auto e = std::get_if<page_error>(&*msg.value))
      again = encode_page_error(*e);
    CHECK(again == file);
  }
}

TEST_CASE("the runtime's golden text frames are what the encoders write") {
  CHECK(golden("ping.json", encode_ping(5)) == encode_ping(5));
  CHECK(golden("unload.json", encode_unload("tiny_bert/fp32@wasm"))
        == encode_unload("tiny_bert/fp32@wasm"));
  CHECK(golden("fault.json", encode_fault("hang", 2))
        == encode_fault("hang", 2));
  for (auto name : {"ping.json", "unload.json", "fault.json"}) {
    auto text = read_text(name);
    CHECK(nlohmann::json::parse(text).dump() == text);
  }
}
