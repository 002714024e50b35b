// What a page sends over the bridge: text frames (hello, loaded, error,
// pong), binary result frames and bundles of both. The first byte chooses
// which decoder reads the rest; each must answer with a message or an
// error, never crash, hang or throw. A frame that decodes is encoded back
// where the wire has an encoder for it, and must decode again.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "transport/wire/wire_bundle.hpp"
#include "transport/wire/wire_format.hpp"

using namespace webaccel::wire;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1)
    return 0;
  limits lim;
  std::vector<uint8_t> bytes{data + 1, data + size};
  switch (data[0] % 4) {
    case 0:
      decode_page_text(
        std::string_view{reinterpret_cast<const char*>(bytes.data()),
                         bytes.size()},
        lim);
      break;
    case 1:
      if (auto r = decode_result(bytes, lim)) {
        auto again = encode_result(*r.value, lim);
        if (!again || !decode_result(*again.value, lim))
          __builtin_trap(); // A result we read must survive a round trip.
      }
      break;
    case 2:
      decode_infer(bytes, lim);
      break;
    default:
      if (auto frames = decode_bundle(bytes, lim)) {
        for (auto& f : *frames.value) {
          if (f.binary)
            decode_result(f.bytes, lim);
          else
            decode_page_text(
              std::string_view{reinterpret_cast<const char*>(f.bytes.data()),
                               f.bytes.size()},
              lim);
        }
      }
  }
  return 0;
}
