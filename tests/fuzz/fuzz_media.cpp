// Host input files (WAV, PNG, JPEG, GIF, WebP, BMP, else text): told apart
// by their first bytes before they go to the page as raw inputs. Any bytes
// get a kind or none.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "transport/wire/media_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<uint8_t> bytes{data, data + size};
  webaccel::sniff_media(bytes);
  return 0;
}
