#include "transport/wire/wire_bundle.hpp"

namespace webaccel::wire {

namespace {

constexpr size_t prefix_bytes = 8;     // marker, count
constexpr size_t frame_head_bytes = 5; // kind, length

void put_u32(std::vector<uint8_t>& out, uint32_t x) {
  for (int i = 0; i < 4; ++i)
    out.push_back(static_cast<uint8_t>(x >> (8 * i)));
}

uint32_t get_u32(const std::vector<uint8_t>& in, size_t at) {
  uint32_t x = 0;
  for (int i = 0; i < 4; ++i)
    x |= uint32_t{in[at + i]} << (8 * i);
  return x;
}

} // namespace

bool is_bundle(const std::vector<uint8_t>& message) {
  return message.size() >= prefix_bytes && get_u32(message, 0) == 0;
}

decoded<std::vector<uint8_t>>
encode_bundle(const std::vector<bundled_frame>& frames, const limits& lim) {
  using res = decoded<std::vector<uint8_t>>;
  if (frames.size() > lim.max_bundle_frames)
    return res::fail("a bundle of " + std::to_string(frames.size())
                     + " frames exceeds the limit of "
                     + std::to_string(lim.max_bundle_frames));
  uint64_t total = prefix_bytes;
  for (auto& f : frames)
    total += frame_head_bytes + f.bytes.size();
  if (total > lim.max_message_bytes)
    return res::fail("a bundle of " + std::to_string(total)
                     + " bytes exceeds the limit of "
                     + std::to_string(lim.max_message_bytes));
  std::vector<uint8_t> out;
  out.reserve(total);
  put_u32(out, 0);
  put_u32(out, static_cast<uint32_t>(frames.size()));
  for (auto& f : frames) {
    out.push_back(f.binary ? 0 : 1);
    put_u32(out, static_cast<uint32_t>(f.bytes.size()));
    out.insert(out.end(), f.bytes.begin(), f.bytes.end());
  }
  return res::ok(std::move(out));
}

decoded<std::vector<bundled_frame>>
decode_bundle(const std::vector<uint8_t>& message, const limits& lim) {
  using res = decoded<std::vector<bundled_frame>>;
  if (!is_bundle(message))
    return res::fail("not a bundle");
  auto count = get_u32(message, 4);
  if (count > lim.max_bundle_frames)
    return res::fail("a bundle of " + std::to_string(count)
                     + " frames exceeds the limit of "
                     + std::to_string(lim.max_bundle_frames));
  std::vector<bundled_frame> out;
  out.reserve(count);
  size_t at = prefix_bytes;
  for (uint32_t i = 0; i < count; ++i) {
    auto where = "bundle frame " + std::to_string(i);
    if (message.size() - at < frame_head_bytes)
      return res::fail(where + " runs past the message end");
    auto kind = message[at];
    if (kind > 1)
      return res::fail(where + " has unknown kind " + std::to_string(kind));
    auto len = get_u32(message, at + 1);
    at += frame_head_bytes;
    if (len > message.size() - at)
      return res::fail(where + " of " + std::to_string(len)
                       + " bytes runs past the message end");
    out.push_back(
      {kind == 0, {message.begin() + at, message.begin() + at + len}});
    at += len;
  }
  if (at != message.size())
    return res::fail(std::to_string(message.size() - at)
                     + " bytes follow the bundle's last frame");
  return res::ok(std::move(out));
}

} // namespace webaccel::wire
