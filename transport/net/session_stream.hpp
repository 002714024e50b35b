// What both servers' sessions do alike with their stream, plain TCP or TLS
// (beast::tcp_stream or beast::ssl_stream over it): a TLS session shakes
// hands before its first read, and says close_notify before it closes.
#pragma once

#include <chrono>
#include <memory>
#include <type_traits>
#include <utility>

#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>

#include "config/logging.hpp"

namespace webaccel {

using tls_stream = boost::beast::ssl_stream<boost::beast::tcp_stream>;

template <class Stream>
constexpr bool is_tls_stream = std::is_same_v<Stream, tls_stream>;

/// Calls `next()` once `stream` is ready for its first read: at once for
/// TCP, after a server handshake within `timeout` for TLS (a client that
/// does not trust us, or speaks plain HTTP, ends there). `keep` holds the
/// session alive meanwhile.
template <class Stream, class Keep, class Next>
void start_session(Stream& stream, std::chrono::milliseconds timeout,
                   std::shared_ptr<Keep> keep, Next next, const char* server) {
  if constexpr (is_tls_stream<Stream>) {
    boost::beast::get_lowest_layer(stream).expires_after(timeout);
    stream.async_handshake(boost::asio::ssl::stream_base::server,
                           [keep = std::move(keep), next = std::move(next),
                            server](boost::beast::error_code ec) mutable {
                             if (ec) {
                               logger()->debug("{} TLS handshake: {}", server,
                                               ec.message());
                               return;
                             }
                             next();
                           });
  } else {
    next();
  }
}

/// Ends our side of `stream`: close_notify (within 5 s) and close for TLS,
/// shutdown of sending for TCP.
template <class Stream, class Keep>
void end_session(Stream& stream, std::shared_ptr<Keep> keep) {
  if constexpr (is_tls_stream<Stream>) {
    boost::beast::get_lowest_layer(stream).expires_after(
      std::chrono::seconds{5});
    stream.async_shutdown(
      [&stream, keep = std::move(keep)](boost::beast::error_code) {
        boost::beast::error_code ignored;
        boost::beast::get_lowest_layer(stream).socket().close(ignored);
      });
  } else {
    boost::beast::error_code ec;
    boost::beast::get_lowest_layer(stream).socket().shutdown(
      boost::asio::ip::tcp::socket::shutdown_send, ec);
  }
}

} // namespace webaccel
