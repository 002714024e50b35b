// A config file (JSON with comments): parse_config accepts it or throws a
// config_error naming the key path; any other exception, a crash or a hang
// is a bug.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "config/runtime_config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text{reinterpret_cast<const char*>(data), size};
  try {
    // The base dir does not exist: a config naming files fails on them
    // with a config_error, as it should.
    webaccel::parse_config(text, "/nonexistent-webaccel-fuzz", "fuzz.json");
  } catch (const webaccel::config_error&) {
    // The refusal a bad config gets.
  }
  return 0;
}
