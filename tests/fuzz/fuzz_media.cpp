// Host input files (WAV, PNG, JPEG, GIF, WebP, BMP, else text): told apart
// by their first bytes before they go to the page as raw inputs (any bytes
// get a kind or none), and WAV files read by the CLI's own reader (samples,
// or a std::runtime_error naming what is wrong).
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <vector>

#include "tools/wav.hpp"
#include "transport/wire/media_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<uint8_t> bytes{data, data + size};
  auto kind = webaccel::sniff_media(bytes);
  if (kind && kind->second == "audio/wav") {
    try {
      webaccel::parse_wav({data, data + size}, "fuzz.wav");
    } catch (const std::runtime_error&) {
      // A WAV file that is not a usable one.
    }
  }
  return 0;
}
