// SHA-256 for verifying model files: OpenSSL's (already linked for TLS and
// the node handshake), streamed from the file.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace webaccel {

/// Returns the lower-case hex digest of `data`.
std::string sha256_hex(std::string_view data);

/// Returns the digest of a file's contents, or nullopt if it cannot be read.
std::optional<std::string> sha256_file_hex(const std::string& path);

} // namespace webaccel
