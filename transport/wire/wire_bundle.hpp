// Bundles: several bridge frames in one WebSocket message. Under load the
// runtime sends the requests that queued up while the page was busy as one
// bundle, and the page answers with bundles, which saves each request its
// own trip through the browser's network stack (two process hops each way
// in Chromium).
//
// Layout: u32 LE 0 (a plain binary frame never has an empty header), u32 LE
// frame count, then per frame: u8 kind (0 binary, 1 text), u32 LE length,
// the frame's bytes. browser_assets/protocol.js has the page's side.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "transport/wire/wire_format.hpp"

namespace webaccel::wire {

/// What a bundle adds to its frames: its header, and each frame's kind and
/// length. A bundle of frames of n1, n2, ... bytes takes
/// bundle_header_bytes + sum(bundle_frame_header_bytes + ni).
constexpr uint64_t bundle_header_bytes = 8;
constexpr uint64_t bundle_frame_header_bytes = 5;

/// One frame of a bundle, as it would travel alone.
struct bundled_frame {
  bool binary = true;
  std::vector<uint8_t> bytes;
};

/// Whether a binary message is a bundle rather than a single frame.
bool is_bundle(const std::vector<uint8_t>& message);

/// Packs frames into one message; fails past `lim.max_message_bytes` or
/// `lim.max_bundle_frames`.
decoded<std::vector<uint8_t>>
encode_bundle(const std::vector<bundled_frame>& frames, const limits& lim);

/// Splits a bundle into its frames; fails on any malformed length.
decoded<std::vector<bundled_frame>>
decode_bundle(const std::vector<uint8_t>& message, const limits& lim);

} // namespace webaccel::wire
