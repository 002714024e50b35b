// What both of our servers do alike: open a listening TCP socket (open,
// reuse the address, bind, listen, with one error that names where), make
// their TLS context, and run their I/O threads under the thread barrier.
#pragma once

#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include "transport/net/tls_identity.hpp"

namespace webaccel {

/// Makes `acceptor` listen on `endpoint`; returns the port it got (an
/// ephemeral one for port 0). @throws std::runtime_error "cannot listen
/// on <where>: <why>"
uint16_t listen_on(boost::asio::ip::tcp::acceptor& acceptor,
                   const boost::asio::ip::tcp::endpoint& endpoint,
                   const std::string& where);

/// A server's TLS context (TLS 1.2 and later) with `id`'s certificate
/// chain and key. @throws std::runtime_error "<setting>: <why>"
boost::asio::ssl::context make_server_tls_context(const tls_identity& id,
                                                  const std::string& setting);

/// Runs `ioc` on the calling thread until it stops. A handler that throws
/// is reported (thread_barrier.hpp) and ends only its own connection; the
/// thread goes on with the others.
void run_io(boost::asio::io_context& ioc);

} // namespace webaccel
