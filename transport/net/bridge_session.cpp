#include "transport/net/bridge_session.hpp"

#include <boost/asio/post.hpp>
#include <boost/beast/ssl.hpp>
#include <caf/send.hpp>

#include "config/logging.hpp"

namespace webaccel::detail {

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;

template <class Stream>
bridge_session<Stream>::bridge_session(Stream&& stream, bridge_peer_actor peer,
                                       uint64_t max_message_bytes)
  : ws_(std::move(stream)),
    peer_(std::move(peer)),
    max_message_bytes_(max_message_bytes) {
  // nop
}

template <class Stream>
bridge_session<Stream>::~bridge_session() {
  notify_closed("bridge session ended");
}

template <class Stream>
void bridge_session<Stream>::run(
  beast::http::request<beast::http::string_body> req) {
  // The upgrade is done; from now on Beast's WebSocket timeouts apply.
  beast::get_lowest_layer(ws_).expires_never();
  // Frames are small and latency-bound: do not let Nagle hold them back.
  beast::error_code ec;
  beast::get_lowest_layer(ws_).socket().set_option(
    boost::asio::ip::tcp::no_delay{true}, ec);
  ws_.set_option(
    websocket::stream_base::timeout::suggested(beast::role_type::server));
  ws_.read_message_max(max_message_bytes_);
  ws_.async_accept(req,
                   beast::bind_front_handler(&bridge_session<Stream>::on_accept,
                                             this->shared_from_this()));
}

template <class Stream>
void bridge_session<Stream>::on_accept(beast::error_code ec) {
  if (ec) {
    notify_closed("WebSocket handshake failed: " + ec.message());
    return;
  }
  caf::anon_send(
    peer_, opened_atom::value,
    std::static_pointer_cast<bridge_channel>(this->shared_from_this()));
  do_read();
}

template <class Stream>
void bridge_session<Stream>::do_read() {
  ws_.async_read(buffer_,
                 beast::bind_front_handler(&bridge_session<Stream>::on_read,
                                           this->shared_from_this()));
}

template <class Stream>
void bridge_session<Stream>::on_read(beast::error_code ec, std::size_t) {
  if (ec) {
    if (ec == websocket::error::closed)
      notify_closed("closed by the page (code "
                    + std::to_string(ws_.reason().code) + ")");
    else if (ec == websocket::error::message_too_big)
      notify_closed("the page sent a message over the limit of "
                    + std::to_string(max_message_bytes_) + " bytes");
    else
      notify_closed("read failed: " + ec.message());
    return;
  }
  auto data = buffer_.cdata();
  auto first = static_cast<const char*>(data.data());
  if (ws_.got_text())
    caf::anon_send(peer_, text_atom::value,
                   std::string{first, first + data.size()});
  else
    caf::anon_send(peer_, binary_atom::value,
                   std::vector<uint8_t>{first, first + data.size()});
  buffer_.consume(buffer_.size());
  do_read();
}

template <class Stream>
void bridge_session<Stream>::send_text(std::string text) {
  enqueue(frame{false, false, std::move(text), {}});
}

template <class Stream>
void bridge_session<Stream>::send_binary(std::vector<uint8_t> bytes) {
  enqueue(frame{true, false, {}, std::move(bytes)});
}

template <class Stream>
void bridge_session<Stream>::enqueue(frame f) {
  // Post onto the strand: callers are actor threads.
  net::post(ws_.get_executor(),
            [self = this->shared_from_this(), f = std::move(f)]() mutable {
              self->queue_.push_back(std::move(f));
              if (self->queue_.size() == 1)
                self->do_write();
            });
}

template <class Stream>
void bridge_session<Stream>::do_write() {
  auto& f = queue_.front();
  auto handler = beast::bind_front_handler(&bridge_session<Stream>::on_write,
                                           this->shared_from_this());
  if (f.close) {
    ws_.async_close(websocket::close_code::normal,
                    [self = this->shared_from_this()](beast::error_code ec) {
                      self->on_write(ec, 0);
                    });
    return;
  }
  ws_.binary(f.binary);
  if (f.binary)
    ws_.async_write(net::buffer(f.bytes), std::move(handler));
  else
    ws_.async_write(net::buffer(f.text), std::move(handler));
}

template <class Stream>
void bridge_session<Stream>::on_write(beast::error_code ec, std::size_t) {
  if (ec) {
    notify_closed("write failed: " + ec.message());
    return;
  }
  if (queue_.front().close) {
    queue_.clear();
    return;
  }
  queue_.pop_front();
  if (!queue_.empty())
    do_write();
}

template <class Stream>
void bridge_session<Stream>::close() {
  enqueue(frame{false, true, {}, {}});
}

template <class Stream>
void bridge_session<Stream>::notify_closed(const std::string& why) {
  if (close_notified_)
    return;
  close_notified_ = true;
  logger()->debug("bridge closed: {}", why);
  caf::anon_send(peer_, closed_atom::value, why);
}

template class bridge_session<beast::tcp_stream>;
template class bridge_session<beast::ssl_stream<beast::tcp_stream>>;

} // namespace webaccel::detail
