#include "transport/wire/wire_bundle.hpp"

#include <doctest/doctest.h>

using namespace webaccel;
using namespace webaccel::wire;

namespace {

std::vector<uint8_t> bytes(const std::string& s) {
  return {s.begin(), s.end()};
}

} // namespace

TEST_CASE("a bundle keeps its frames, their kinds and their order") {
  auto result = encode_result({7, {}}, limits{});
  REQUIRE(result);
  auto bundle = encode_bundle(
    {{true, *result.value}, {false, bytes("{\"type\":\"x\"}")}}, limits{});
  REQUIRE(bundle);
  CHECK(is_bundle(*bundle.value));
  CHECK_FALSE(is_bundle(*result.value));
  auto frames = decode_bundle(*bundle.value, limits{});
  REQUIRE(frames);
  REQUIRE(frames.value->size() == 2);
  CHECK((*frames.value)[0].binary);
  CHECK(decode_result((*frames.value)[0].bytes, limits{}).value->id == 7);
  CHECK_FALSE((*frames.value)[1].binary);
  CHECK((*frames.value)[1].bytes == bytes("{\"type\":\"x\"}"));
}

TEST_CASE("malformed bundles are refused with the reason") {
  auto bundle = *encode_bundle({{true, bytes("abcd")}, {false, bytes("{}")}},
                               limits{})
                   .value;
  auto cut = bundle;
  cut.pop_back();
  CHECK(decode_bundle(cut, limits{}).error
        == "bundle frame 1 of 2 bytes runs past the message end");
  auto longer = bundle;
  longer.push_back(0);
  CHECK(decode_bundle(longer, limits{}).error
        == "1 bytes follow the bundle's last frame");
  auto kind = bundle;
  kind[8] = 7;
  CHECK(decode_bundle(kind, limits{}).error
        == "bundle frame 0 has unknown kind 7");
  limits small;
  small.max_bundle_frames = 1;
  CHECK(decode_bundle(bundle, small).error
        == "a bundle of 2 frames exceeds the limit of 1");
  small = limits{};
  small.max_message_bytes = 10;
  CHECK_FALSE(
    encode_bundle({{true, bytes("abcd")}, {false, bytes("{}")}}, small));
}
