#include "transport/wire/media_file.hpp"

#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>

namespace webaccel {

namespace {

/// Largest input file read into memory (a frame has its own, lower limit).
constexpr std::streamoff max_file_bytes = 256ll << 20;

bool starts_with(const std::vector<uint8_t>& data, const char* magic,
                 size_t at = 0) {
  auto n = std::strlen(magic);
  return data.size() >= at + n && std::memcmp(data.data() + at, magic, n) == 0;
}

} // namespace

raw_input read_media_file(const std::string& path) {
  std::ifstream in{path, std::ios::binary | std::ios::ate};
  if (!in)
    throw std::runtime_error(path + ": cannot read the file");
  auto size = static_cast<std::streamoff>(in.tellg());
  if (size > max_file_bytes)
    throw std::runtime_error(path + ": " + std::to_string(size)
                             + " bytes is larger than an input may be (256 "
                               "MiB)");
  in.seekg(0);
  raw_input out;
  out.data.assign(std::istreambuf_iterator<char>{in},
                  std::istreambuf_iterator<char>{});
  auto& d = out.data;
  if (starts_with(d, "RIFF") && starts_with(d, "WAVE", 8))
    out = {"audio", "audio/wav", std::move(d)};
  else if (starts_with(d, "\x89PNG"))
    out = {"image", "image/png", std::move(d)};
  else if (starts_with(d, "\xff\xd8\xff"))
    out = {"image", "image/jpeg", std::move(d)};
  else if (starts_with(d, "GIF8"))
    out = {"image", "image/gif", std::move(d)};
  else if (starts_with(d, "RIFF") && starts_with(d, "WEBP", 8))
    out = {"image", "image/webp", std::move(d)};
  else if (starts_with(d, "BM"))
    out = {"image", "image/bmp", std::move(d)};
  else
    throw std::runtime_error(path
                             + ": not a WAV, PNG, JPEG, GIF, WebP or BMP file");
  return out;
}

} // namespace webaccel
