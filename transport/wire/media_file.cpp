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
  std::vector<uint8_t> data{std::istreambuf_iterator<char>{in},
                            std::istreambuf_iterator<char>{}};
  auto media = sniff_media(data);
  if (!media)
    throw std::runtime_error(path
                             + ": not a WAV, PNG, JPEG, GIF, WebP or BMP file");
  return {media->first, media->second, std::move(data)};
}

std::optional<std::pair<std::string, std::string>>
sniff_media(const std::vector<uint8_t>& d) {
  if (starts_with(d, "RIFF") && starts_with(d, "WAVE", 8))
    return std::pair<std::string, std::string>{"audio", "audio/wav"};
  if (starts_with(d, "\x89PNG"))
    return std::pair<std::string, std::string>{"image", "image/png"};
  if (starts_with(d, "\xff\xd8\xff"))
    return std::pair<std::string, std::string>{"image", "image/jpeg"};
  if (starts_with(d, "GIF8"))
    return std::pair<std::string, std::string>{"image", "image/gif"};
  if (starts_with(d, "RIFF") && starts_with(d, "WEBP", 8))
    return std::pair<std::string, std::string>{"image", "image/webp"};
  if (starts_with(d, "BM"))
    return std::pair<std::string, std::string>{"image", "image/bmp"};
  return std::nullopt;
}

} // namespace webaccel
