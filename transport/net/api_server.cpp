#include "transport/net/api_server.hpp"

#include <array>
#include <deque>
#include <mutex>
#include <optional>
#include <stdexcept>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include "config/logging.hpp"
#include "config/thread_barrier.hpp"
#include "transport/net/listener.hpp"
#include "transport/net/session_stream.hpp"

namespace webaccel {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

bool is_loopback_host(const std::string& host) {
  if (host == "localhost")
    return true;
  beast::error_code ec;
  auto addr = net::ip::make_address(host, ec);
  return !ec && addr.is_loopback();
}

bool constant_time_equal(const std::string& a, const std::string& b) {
  // Compares every byte of the longer one, whatever the lengths.
  auto n = std::max(a.size(), b.size());
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (size_t i = 0; i < n; ++i) {
    auto x = i < a.size() ? static_cast<unsigned char>(a[i]) : 0;
    auto y = i < b.size() ? static_cast<unsigned char>(b[i]) : 0;
    diff |= static_cast<unsigned char>(x ^ y);
  }
  return diff == 0;
}

struct api_server::impl : std::enable_shared_from_this<api_server::impl> {
  impl(api_server_options o, api_handler h, api_socket_handler s)
    : opts(std::move(o)),
      handler(std::move(h)),
      on_socket(std::move(s)),
      ioc(static_cast<int>(std::max<size_t>(1, opts.threads))),
      work(ioc.get_executor()),
      acceptor(net::make_strand(ioc)) {
    // nop
  }

  void do_accept();

  api_server_options opts;
  api_handler handler;
  api_socket_handler on_socket;
  net::io_context ioc;
  /// Keeps the I/O threads running while no socket operation is pending
  /// (a drained server waiting for the handler's answers has none).
  net::executor_work_guard<net::io_context::executor_type> work;
  tcp::acceptor acceptor;
  std::atomic<bool> draining{false};
  std::atomic<size_t> in_flight{0};
  /// Set when the options have a TLS identity.
  std::optional<net::ssl::context> ssl;
};

namespace {

bool has_prefix(const std::string& path,
                const std::vector<std::string>& prefixes) {
  for (auto& p : prefixes)
    if (path.compare(0, p.size(), p) == 0)
      return true;
  return false;
}

/// The value of `name` in a query string ("a=1&token=x"), undecoded.
std::string query_value(const std::string& query, const std::string& name) {
  size_t at = 0;
  while (at <= query.size()) {
    auto end = query.find('&', at);
    if (end == std::string::npos)
      end = query.size();
    auto part = query.substr(at, end - at);
    if (part.compare(0, name.size() + 1, name + "=") == 0)
      return part.substr(name.size() + 1);
    at = end + 1;
  }
  return {};
}

/// An accepted WebSocket: writes one message at a time from a bounded
/// queue, and reads (and drops) what the client sends, to see it close.
template <class Stream>
class api_websocket
  : public api_socket,
    public std::enable_shared_from_this<api_websocket<Stream>> {
public:
  api_websocket(Stream&& stream, api_server::impl& owner)
    : ws_(std::move(stream)), owner_(owner) {
    // nop
  }

  void accept(http::request<http::string_body> req, api_request seen) {
    beast::get_lowest_layer(ws_).expires_never();
    ws_.set_option(beast::websocket::stream_base::timeout::suggested(
      beast::role_type::server));
    // Clients have nothing to say here; what they send is read and dropped.
    ws_.read_message_max(64 * 1024);
    ws_.async_accept(req, [self = this->shared_from_this(),
                           seen = std::move(seen)](beast::error_code ec) {
      if (ec)
        return;
      self->open_ = true;
      if (self->owner_.on_socket)
        self->owner_.on_socket(self, seen);
      self->do_read();
    });
  }

  bool send(std::string text) override {
    if (!open_)
      return false;
    net::post(ws_.get_executor(), [self = this->shared_from_this(),
                                   text = std::move(text)]() mutable {
      self->queue_.push_back(std::move(text));
      while (self->queue_.size() > self->owner_.opts.websocket_queue + 1)
        self->queue_.erase(self->queue_.begin() + 1); // keep the one writing
      if (self->queue_.size() == 1)
        self->do_write();
    });
    return true;
  }

  bool is_open() const override {
    return open_;
  }

private:
  void do_read() {
    ws_.async_read(buffer_, [self = this->shared_from_this()](
                              beast::error_code ec, std::size_t) {
      self->buffer_.consume(self->buffer_.size());
      if (ec) {
        self->open_ = false;
        return;
      }
      self->do_read();
    });
  }

  void do_write() {
    ws_.text(true);
    ws_.async_write(net::buffer(queue_.front()),
                    [self = this->shared_from_this()](beast::error_code ec,
                                                      std::size_t) {
                      if (ec) {
                        self->open_ = false;
                        self->queue_.clear();
                        return;
                      }
                      self->queue_.pop_front();
                      if (!self->queue_.empty())
                        self->do_write();
                    });
  }

  beast::websocket::stream<Stream> ws_;
  api_server::impl& owner_;
  beast::flat_buffer buffer_;
  std::deque<std::string> queue_;
  std::atomic<bool> open_{false};
};

std::string json_error(const std::string& category, const std::string& what) {
  // The same shape as kserve::error_body, without depending on it.
  std::string escaped;
  for (auto c : category + ": " + what) {
    if (c == '"' || c == '\\')
      escaped += '\\';
    if (static_cast<unsigned char>(c) >= 0x20)
      escaped += c;
  }
  return "{\"error\":\"" + escaped + "\"}";
}

/// One connection. `Stream` is beast::tcp_stream here; a TLS stream over it
/// takes the same steps.
template <class Stream>
class api_session : public std::enable_shared_from_this<api_session<Stream>> {
public:
  api_session(Stream&& stream, api_server::impl& owner,
              std::weak_ptr<api_server::impl> weak)
    : stream_(std::move(stream)), owner_(owner), weak_(std::move(weak)) {
    // nop
  }

  void run() {
    net::dispatch(stream_.get_executor(),
                  beast::bind_front_handler(&api_session::start,
                                            this->shared_from_this()));
  }

private:
  /// A TLS session shakes hands (within the read deadline) first.
  void start() {
    auto self = this->shared_from_this();
    start_session(
      stream_, owner_.opts.read_timeout, self, [self] { self->do_read(); },
      "api");
  }

  void do_read() {
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(owner_.opts.max_header_bytes));
    parser_->body_limit(owner_.opts.max_body_bytes);
    beast::get_lowest_layer(stream_).expires_after(owner_.opts.read_timeout);
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&api_session::on_read,
                                               this->shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec == http::error::end_of_stream || ec == beast::error::timeout
        || ec == net::error::operation_aborted) {
      close();
      return;
    }
    if (ec == http::error::body_limit) {
      fail(413, "invalid_request",
           "the body is larger than "
             + std::to_string(owner_.opts.max_body_bytes) + " bytes");
      return;
    }
    if (ec == http::error::header_limit) {
      fail(431, "invalid_request",
           "the request head is larger than "
             + std::to_string(owner_.opts.max_header_bytes) + " bytes");
      return;
    }
    if (ec) {
      fail(400, "invalid_request", "malformed HTTP request: " + ec.message());
      return;
    }
    auto& msg = parser_->get();
    keep_alive_ = msg.keep_alive();
    version_ = msg.version();
    api_request req;
    req.method = std::string{msg.method_string()};
    std::string target{msg.target()};
    auto q = target.find('?');
    req.path = target.substr(0, q);
    if (q != std::string::npos)
      req.query = target.substr(q + 1);
    for (auto& field : msg) {
      std::string name{field.name_string()};
      for (auto& c : name)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      req.headers[name] = std::string{field.value()};
    }
    if (owner_.draining) {
      keep_alive_ = false;
      respond({503,
               "application/json",
               json_error("shutting_down", "the server is shutting down"),
               {{"Retry-After", "1"}}});
      return;
    }
    if (!authorized(req)) {
      respond({401,
               "application/json",
               json_error("invalid_request", "a valid bearer token is required "
                                             "(Authorization: Bearer <token>)"),
               {{"WWW-Authenticate", "Bearer"}}});
      return;
    }
    if (beast::websocket::is_upgrade(msg)) {
      if (!has_prefix(req.path, owner_.opts.websocket_paths)) {
        fail(404, "invalid_request", "no WebSocket at " + req.path);
        return;
      }
      std::make_shared<api_websocket<Stream>>(std::move(stream_), owner_)
        ->accept(parser_->release(), std::move(req));
      return;
    }
    req.body = std::move(msg.body());
    // The handler may take long (an inference, a load): no read deadline.
    beast::get_lowest_layer(stream_).expires_never();
    owner_.in_flight++;
    auto self = this->shared_from_this();
    auto answered = std::make_shared<std::atomic<bool>>(false);
    api_reply reply = [self, answered, weak = weak_](api_response res) {
      if (answered->exchange(true))
        return; // Answered once already.
      // The server may have stopped meanwhile: then nobody waits.
      if (auto alive = weak.lock())
        net::post(self->stream_.get_executor(),
                  [self, res = std::move(res)]() mutable {
                    self->owner_.in_flight--;
                    self->respond(std::move(res));
                  });
    };
    // A handler that throws answers this request with a 500, and only it.
    run_in_barrier(
      thread_kind::io, "a request handler",
      [&] { owner_.handler(std::move(req), reply); },
      [&reply](const std::string& error) {
        reply({500,
               "application/json",
               json_error("internal", "the request failed: " + error),
               {}});
      });
  }

  bool authorized(const api_request& req) const {
    auto& token = owner_.opts.bearer_token;
    if (token.empty())
      return true;
    if (has_prefix(req.path, owner_.opts.open_prefixes))
      return true;
    if (has_prefix(req.path, owner_.opts.query_token_prefixes)
        && constant_time_equal(query_value(req.query, "token"), token))
      return true;
    auto i = req.headers.find("authorization");
    return i != req.headers.end()
           && constant_time_equal(i->second, "Bearer " + token);
  }

  void fail(unsigned status, const std::string& category,
            const std::string& what) {
    keep_alive_ = false;
    // The client may still be sending the body we refused: read and drop
    // it after the answer, so that it can read the answer (a close now
    // would reset the connection under it).
    linger_ = true;
    respond({status, "application/json", json_error(category, what), {}});
  }

  /// Reads and drops what the client still sends, until it stops, the
  /// read deadline passes, or a bound is reached; then closes.
  void discard_rest() {
    if (discarded_ > 4 * owner_.opts.max_body_bytes + (1u << 20)) {
      close();
      return;
    }
    beast::get_lowest_layer(stream_).expires_after(owner_.opts.read_timeout);
    stream_.async_read_some(
      net::buffer(sink_),
      [self = this->shared_from_this()](beast::error_code ec, std::size_t n) {
        if (ec) {
          self->close();
          return;
        }
        self->discarded_ += n;
        self->discard_rest();
      });
  }

  void respond(api_response res) {
    auto sp = std::make_shared<http::response<http::string_body>>(
      static_cast<http::status>(res.status), version_);
    sp->set(http::field::server, "webaccel");
    sp->set(http::field::content_type, res.content_type);
    for (auto& [name, value] : res.headers)
      sp->set(name, value);
    auto keep_alive = keep_alive_ && !owner_.draining;
    sp->keep_alive(keep_alive);
    sp->body() = std::move(res.body);
    sp->prepare_payload();
    beast::get_lowest_layer(stream_).expires_after(owner_.opts.read_timeout);
    http::async_write(stream_, *sp,
                      [self = this->shared_from_this(), sp,
                       keep_alive](beast::error_code ec, std::size_t) {
                        if (!ec && self->linger_) {
                          self->close();        // Our side is done...
                          self->discard_rest(); // ...theirs may not be.
                        } else if (ec || !keep_alive) {
                          self->close();
                        } else {
                          self->do_read();
                        }
                      });
  }

  /// Ends our side: TLS says close_notify first.
  void close() {
    end_session(stream_, this->shared_from_this());
  }

  Stream stream_;
  api_server::impl& owner_;
  std::weak_ptr<api_server::impl> weak_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  bool keep_alive_ = true;
  unsigned version_ = 11;
  bool linger_ = false;
  size_t discarded_ = 0;
  std::array<char, 16384> sink_;
};

} // namespace

void api_server::impl::do_accept() {
  acceptor.async_accept(net::make_strand(ioc), [this](beast::error_code ec,
                                                      tcp::socket socket) {
    if (ec) {
      if (!acceptor.is_open())
        return;
      logger()->warn("api accept: {}", ec.message());
    } else if (draining) {
      // Closed unread.
    } else if (ssl) {
      std::make_shared<api_session<tls_stream>>(
        tls_stream{std::move(socket), *ssl}, *this, weak_from_this())
        ->run();
    } else {
      std::make_shared<api_session<beast::tcp_stream>>(
        beast::tcp_stream{std::move(socket)}, *this, weak_from_this())
        ->run();
    }
    do_accept();
  });
}

std::unique_ptr<api_server> api_server::start(api_server_options opts,
                                              api_handler handler,
                                              api_socket_handler on_socket) {
  if (!is_loopback_host(opts.host) && opts.bearer_token.empty())
    throw std::runtime_error("refusing to serve on " + opts.host
                             + " without a bearer token: only loopback "
                               "addresses may be served without one");
  std::unique_ptr<api_server> srv{new api_server};
  srv->impl_ = std::make_shared<impl>(std::move(opts), std::move(handler),
                                      std::move(on_socket));
  auto& im = *srv->impl_;
  beast::error_code ec;
  auto host = im.opts.host == "localhost" ? std::string{"127.0.0.1"}
                                          : im.opts.host;
  auto addr = net::ip::make_address(host, ec);
  if (ec)
    throw std::runtime_error("'" + im.opts.host + "' is not an IP address");
  if (im.opts.tls)
    im.ssl.emplace(make_server_tls_context(*im.opts.tls, "api tls"));
  srv->port_ = listen_on(im.acceptor, tcp::endpoint{addr, im.opts.port},
                         im.opts.host + ":" + std::to_string(im.opts.port));
  im.do_accept();
  for (size_t i = 0; i < std::max<size_t>(1, im.opts.threads); ++i)
    srv->threads_.emplace_back([&im] { run_io(im.ioc); });
  return srv;
}

api_server::~api_server() {
  stop();
}

void api_server::drain() {
  if (!impl_)
    return;
  impl_->draining = true;
  net::post(impl_->acceptor.get_executor(), [im = impl_] {
    beast::error_code ec;
    im->acceptor.close(ec);
  });
}

size_t api_server::in_flight() const {
  return impl_ ? impl_->in_flight.load() : 0;
}

void api_server::stop() {
  if (!impl_)
    return;
  drain();
  impl_->work.reset();
  impl_->ioc.stop();
  for (auto& t : threads_)
    if (t.joinable())
      t.join();
  threads_.clear();
  // A reply still due (from a runtime thread) finds the state gone and
  // drops its answer; sessions die with the io_context.
  impl_.reset();
}

} // namespace webaccel
