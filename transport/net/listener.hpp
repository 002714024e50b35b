// Opening a listening TCP socket, as both of our servers do: open, reuse
// the address, bind, listen, with one error that names where; and running
// their I/O threads under the thread barrier.
#pragma once

#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

namespace webaccel {

/// Makes `acceptor` listen on `endpoint`; returns the port it got (an
/// ephemeral one for port 0). @throws std::runtime_error "cannot listen
/// on <where>: <why>"
uint16_t listen_on(boost::asio::ip::tcp::acceptor& acceptor,
                   const boost::asio::ip::tcp::endpoint& endpoint,
                   const std::string& where);

/// Runs `ioc` on the calling thread until it stops. A handler that throws
/// is reported (thread_barrier.hpp) and ends only its own connection; the
/// thread goes on with the others.
void run_io(boost::asio::io_context& ioc);

} // namespace webaccel
