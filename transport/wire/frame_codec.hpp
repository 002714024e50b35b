// Internal to transport/wire: JSON field access that never throws (a page
// is outside input: a missing or mistyped field reads as absent, never as an
// exception) and the binary frame layout both directions use: a u32 LE
// header length, a JSON header naming each tensor and raw input with its
// offset and length, then their bytes.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "transport/wire/wire_format.hpp"

namespace webaccel::wire::detail {

using json = nlohmann::json;

/// Longest error text kept from a page; pages may send huge stack traces.
constexpr size_t max_error_text = 4096;

/// The unsigned integer at `key`, or nullopt if absent or not one.
std::optional<uint64_t> get_u64(const json& obj, const char* key);

/// The number at `key`, or nullopt.
std::optional<double> get_number(const json& obj, const char* key);

/// The string at `key`, cut to `max_len`; "" if absent or not a string.
std::string get_string(const json& obj, const char* key, size_t max_len);

/// The bool at `key`; false if absent or not a bool.
bool get_bool(const json& obj, const char* key);

/// The object at `key`, or an empty one.
const json& get_object(const json& obj, const char* key);

/// The strings of the array at `key`, within the limits.
std::vector<std::string> get_names(const json& obj, const char* key,
                                   const limits& lim);

/// Serializes JSON; invalid UTF-8 in strings is replaced, never thrown.
std::string to_text(const json& doc);

/// Parses JSON without exceptions; nullopt on malformed input.
std::optional<json> parse_json(std::string_view text);

/// A probed platform: {available, reason}.
platform_support read_platform(const json& obj);

/// Serializes header + tensor bytes (+ raw input bytes) into one binary
/// frame; for a batch, `tensor_items` and `raw_items` name the request each
/// belongs to.
decoded<std::vector<uint8_t>>
pack(json header, const std::vector<tensor>& tensors, const limits& lim,
     const std::vector<raw_input>& raws = {},
     const std::vector<uint32_t>& tensor_items = {},
     const std::vector<uint32_t>& raw_items = {});

/// A binary frame split into its JSON header, tensors and raw inputs (and
/// for a batch, the request each belongs to).
struct unpacked {
  json header;
  std::vector<tensor> tensors;
  std::vector<raw_input> raw;
  std::vector<uint32_t> tensor_items;
  std::vector<uint32_t> raw_items;
};

/// Splits a binary frame, checking every offset and length.
decoded<unpacked> unpack(const std::vector<uint8_t>& frame, const limits& lim);

} // namespace webaccel::wire::detail
