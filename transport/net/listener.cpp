#include "transport/net/listener.hpp"

#include <stdexcept>

#include "config/thread_barrier.hpp"

namespace webaccel {

uint16_t listen_on(boost::asio::ip::tcp::acceptor& acceptor,
                   const boost::asio::ip::tcp::endpoint& endpoint,
                   const std::string& where) {
  namespace net = boost::asio;
  boost::system::error_code ec;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec)
    acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec)
    acceptor.bind(endpoint, ec);
  if (!ec)
    acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec)
    throw std::runtime_error("cannot listen on " + where + ": " + ec.message());
  return acceptor.local_endpoint().port();
}

boost::asio::ssl::context make_server_tls_context(const tls_identity& id,
                                                  const std::string& setting) {
  namespace ssl = boost::asio::ssl;
  ssl::context out{ssl::context::tls_server};
  out.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2
                  | ssl::context::no_sslv3 | ssl::context::no_tlsv1
                  | ssl::context::no_tlsv1_1);
  try {
    out.use_certificate_chain(boost::asio::buffer(id.certificate_pem.data(),
                                                  id.certificate_pem.size()));
    out.use_private_key(boost::asio::buffer(id.private_key_pem.data(),
                                            id.private_key_pem.size()),
                        ssl::context::pem);
  } catch (const boost::system::system_error& e) {
    throw std::runtime_error(setting + ": " + e.what());
  }
  return out;
}

void run_io(boost::asio::io_context& ioc) {
  // io_context::run may be called again after a handler threw.
  while (!run_in_barrier(thread_kind::io, "an I/O handler", [&] { ioc.run(); }))
    continue;
}

} // namespace webaccel
