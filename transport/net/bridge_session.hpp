// One page's bridge WebSocket (Beast), shaped like Beast's chat-multi
// websocket_session: a strand per connection, a write queue with one write
// in flight, send() posting onto the strand. Inbound frames are forwarded,
// unparsed, to the browser connection actor. Included by transport's Beast
// TUs only.
#pragma once

#include <deque>
#include <memory>
#include <string>
#include <vector>

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include "messages/bridge_channel.hpp"
#include "messages/interfaces.hpp"

namespace webaccel::detail {

/// `Stream` is boost::beast::tcp_stream or a TLS stream over it (both are
/// instantiated in bridge_session.cpp).
template <class Stream>
class bridge_session
  : public bridge_channel,
    public std::enable_shared_from_this<bridge_session<Stream>> {
public:
  bridge_session(Stream&& stream, bridge_peer_actor peer,
                 uint64_t max_message_bytes);

  ~bridge_session() override;

  /// Accepts the upgrade `req` and starts reading.
  void run(boost::beast::http::request<boost::beast::http::string_body> req);

  void send_text(std::string frame) override;

  void send_binary(std::vector<uint8_t> frame) override;

  void close() override;

private:
  struct frame {
    bool binary = false;
    /// A close handshake instead of data; goes through the queue so that
    /// it never overlaps a write.
    bool close = false;
    std::string text;
    std::vector<uint8_t> bytes;
  };

  void on_accept(boost::beast::error_code ec);
  void do_read();
  void on_read(boost::beast::error_code ec, std::size_t bytes);
  void enqueue(frame f);
  void do_write();
  void on_write(boost::beast::error_code ec, std::size_t bytes);
  void notify_closed(const std::string& why);

  boost::beast::websocket::stream<Stream> ws_;
  boost::beast::flat_buffer buffer_;
  std::deque<frame> queue_;
  bridge_peer_actor peer_;
  uint64_t max_message_bytes_;
  bool close_notified_ = false;
};

} // namespace webaccel::detail
