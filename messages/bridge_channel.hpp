// The outbound half of a page's bridge WebSocket as actors see it. Transport
// implements it; actors send frames through it without knowing Beast.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace webaccel {

/// Thread-safe sender of frames to one page. Calls never block: frames are
/// queued onto the connection's strand and written one at a time.
class bridge_channel {
public:
  virtual ~bridge_channel() = default;

  /// Queues a JSON control frame.
  virtual void send_text(std::string frame) = 0;

  /// Queues a binary (tensor) frame.
  virtual void send_binary(std::vector<uint8_t> frame) = 0;

  /// Closes the WebSocket after queued frames are written.
  virtual void close() = 0;
};

using bridge_channel_ptr = std::shared_ptr<bridge_channel>;

} // namespace webaccel
