// Reads a host's input files (an image, a WAV file) into raw inputs for a
// model's page-side preprocessing.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "messages/inference.hpp"

namespace webaccel {

/// The raw input of a file: "audio" for WAV, "image" for PNG, JPEG, GIF,
/// WebP and BMP, told by its first bytes (the extension is not trusted).
/// @throws std::runtime_error naming the file and why it cannot be used
raw_input read_media_file(const std::string& path);

/// The raw input name and media type of `data` by its first bytes
/// ({"audio", "audio/wav"}, {"image", "image/png"}, ...); nullopt if it is
/// none of those media.
std::optional<std::pair<std::string, std::string>>
sniff_media(const std::vector<uint8_t>& data);

} // namespace webaccel
