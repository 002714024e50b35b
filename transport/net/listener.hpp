// Opening a listening TCP socket, as both of our servers do: open, reuse
// the address, bind, listen, with one error that names where.
#pragma once

#include <string>

#include <boost/asio/ip/tcp.hpp>

namespace webaccel {

/// Makes `acceptor` listen on `endpoint`; returns the port it got (an
/// ephemeral one for port 0). @throws std::runtime_error "cannot listen
/// on <where>: <why>"
uint16_t listen_on(boost::asio::ip::tcp::acceptor& acceptor,
                   const boost::asio::ip::tcp::endpoint& endpoint,
                   const std::string& where);

} // namespace webaccel
