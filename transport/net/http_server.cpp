#include "transport/net/http_server.hpp"

#include <array>
#include <random>
#include <regex>
#include <stdexcept>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>

#include "config/logging.hpp"
#include "transport/net/bridge_session.hpp"
#include "transport/net/listener.hpp"
#include "transport/net/session_stream.hpp"

namespace webaccel {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;

// -- routes -------------------------------------------------------------------

void http_routes::add_model(const std::string& sha256,
                            const std::string& path) {
  std::lock_guard<std::mutex> guard{mtx_};
  models_[sha256] = path;
}

std::optional<std::string>
http_routes::model_path(const std::string& sha256) const {
  std::lock_guard<std::mutex> guard{mtx_};
  auto i = models_.find(sha256);
  if (i == models_.end())
    return std::nullopt;
  return i->second;
}

void http_routes::expect_bridge(const std::string& token,
                                bridge_peer_actor peer) {
  std::lock_guard<std::mutex> guard{mtx_};
  bridges_[token] = std::move(peer);
}

bool http_routes::may_log_rejection(uint64_t& suppressed) {
  std::lock_guard<std::mutex> guard{mtx_};
  return rejection_log_.allow(log_rate_limit::clock_type::now(), suppressed);
}

void http_routes::forget_bridge(const std::string& token) {
  std::lock_guard<std::mutex> guard{mtx_};
  bridges_.erase(token);
}

std::optional<bridge_peer_actor>
http_routes::take_bridge(const std::string& token) {
  std::lock_guard<std::mutex> guard{mtx_};
  auto i = bridges_.find(token);
  if (i == bridges_.end())
    return std::nullopt;
  auto peer = std::move(i->second);
  bridges_.erase(i);
  return peer;
}

std::string make_bridge_token() {
  std::random_device rd;
  std::array<uint32_t, 4> words{rd(), rd(), rd(), rd()};
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (auto w : words)
    for (int shift = 28; shift >= 0; shift -= 4)
      out += digits[(w >> shift) & 0xf];
  return out;
}

namespace {

// -- static files -------------------------------------------------------------

// Request heads and bodies are small: pages only GET.
constexpr std::size_t max_request_bytes = 64 * 1024;

beast::string_view mime_type(beast::string_view path) {
  auto ext = path.substr(std::min(path.rfind('.'), path.size()));
  if (ext == ".html")
    return "text/html; charset=utf-8";
  if (ext == ".js" || ext == ".mjs")
    return "text/javascript; charset=utf-8";
  if (ext == ".wasm")
    return "application/wasm";
  if (ext == ".json")
    return "application/json";
  return "application/octet-stream";
}

/// Maps a request target to a file, or "" if the target is not served.
/// Only fixed shapes of names are accepted, so no target can climb out.
std::string resolve_target(const std::string& target, const std::string& assets,
                           const http_routes& routes, bool& immutable) {
  static const std::regex page_file{
    R"(/((?:pipelines/)?[a-z0-9_]+\.(?:html|js|mjs)))"};
  static const std::regex ort_file{R"(/ort/([a-z0-9._-]+\.(?:mjs|wasm)))"};
  static const std::regex model_file{R"(/models/([0-9a-f]{64}))"};
  auto path = target.substr(0, target.find('?'));
  std::smatch m;
  immutable = false;
  if (path == "/")
    return assets + "/index.html";
  if (std::regex_match(path, m, page_file))
    return assets + "/" + m[1].str();
  if (std::regex_match(path, m, ort_file)
      && m[1].str().find("..") == std::string::npos)
    return assets + "/node_modules/onnxruntime-web/dist/" + m[1].str();
  if (std::regex_match(path, m, model_file)) {
    immutable = true;
    return routes.model_path(m[1].str()).value_or("");
  }
  return {};
}

template <class Body>
void set_common_headers(http::response<Body>& res) {
  res.set(http::field::server, "webaccel");
  // Cross-origin isolation: WASM threads need SharedArrayBuffer.
  res.set("Cross-Origin-Opener-Policy", "same-origin");
  res.set("Cross-Origin-Embedder-Policy", "require-corp");
  res.set("Cross-Origin-Resource-Policy", "same-origin");
}

http::response<http::string_body>
text_response(http::status status, const std::string& text, unsigned version,
              bool keep_alive) {
  http::response<http::string_body> res{status, version};
  set_common_headers(res);
  res.set(http::field::content_type, "text/plain; charset=utf-8");
  res.keep_alive(keep_alive);
  res.body() = text + "\n";
  res.prepare_payload();
  return res;
}

/// The bridge token in "/bridge?token=...", or "".
std::string bridge_token(const std::string& target) {
  static const std::regex bridge{R"(/bridge\?token=([0-9a-f]{1,64}))"};
  std::smatch m;
  return std::regex_match(target, m, bridge) ? m[1].str() : std::string{};
}

// -- HTTP session -------------------------------------------------------------

/// One connection, over plain TCP or TLS (`Stream` is beast::tcp_stream
/// or tls_stream); a TLS one shakes hands before its first read.
template <class Stream>
class http_session : public std::enable_shared_from_this<http_session<Stream>> {
public:
  http_session(Stream&& stream, std::shared_ptr<http_routes> routes,
               const http_server_options& opts)
    : stream_(std::move(stream)), routes_(std::move(routes)), opts_(opts) {
    // nop
  }

  void run() {
    net::dispatch(stream_.get_executor(),
                  beast::bind_front_handler(&http_session::start,
                                            this->shared_from_this()));
  }

private:
  void start() {
    auto self = this->shared_from_this();
    start_session(
      stream_, std::chrono::seconds{30}, self, [self] { self->do_read(); },
      "page server");
  }

  void do_read() {
    parser_.emplace();
    parser_->body_limit(max_request_bytes);
    parser_->header_limit(max_request_bytes);
    beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds{30});
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&http_session::on_read,
                                               this->shared_from_this()));
  }

  /// Ends our side: TLS says close_notify first.
  void close() {
    end_session(stream_, this->shared_from_this());
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec == http::error::end_of_stream || ec == beast::error::timeout) {
      close();
      return;
    }
    if (ec) {
      logger()->debug("http read: {}", ec.message());
      return;
    }
    auto req = parser_->release();
    std::string target{req.target()};
    if (websocket::is_upgrade(req)) {
      upgrade(std::move(req), target);
      return;
    }
    if (req.method() != http::verb::get && req.method() != http::verb::head) {
      send(text_response(http::status::method_not_allowed,
                         "only GET and HEAD are served", req.version(),
                         req.keep_alive()));
      return;
    }
    bool immutable = false;
    auto file = resolve_target(target, opts_.assets_dir, *routes_, immutable);
    beast::error_code fec;
    http::file_body::value_type body;
    if (!file.empty())
      body.open(file.c_str(), beast::file_mode::scan, fec);
    if (file.empty() || fec) {
      send(text_response(http::status::not_found, "not found: " + target,
                         req.version(), req.keep_alive()));
      return;
    }
    auto size = body.size();
    if (req.method() == http::verb::head) {
      http::response<http::empty_body> res{http::status::ok, req.version()};
      set_common_headers(res);
      res.set(http::field::content_type, mime_type(file));
      res.content_length(size);
      res.keep_alive(req.keep_alive());
      send(std::move(res));
      return;
    }
    http::response<http::file_body> res{
      std::piecewise_construct, std::make_tuple(std::move(body)),
      std::make_tuple(http::status::ok, req.version())};
    set_common_headers(res);
    res.set(http::field::content_type, mime_type(file));
    // Models are addressed by content, so they never change.
    res.set(http::field::cache_control,
            immutable ? "public, max-age=31536000, immutable" : "no-cache");
    res.content_length(size);
    res.keep_alive(req.keep_alive());
    send(std::move(res));
  }

  void upgrade(http::request<http::string_body> req,
               const std::string& target) {
    auto token = bridge_token(target);
    auto peer = token.empty() ? std::nullopt : routes_->take_bridge(token);
    if (!peer) {
      if (uint64_t suppressed = 0; routes_->may_log_rejection(suppressed))
        logger()->warn("rejected a bridge WebSocket with {} token{}",
                       token.empty() ? "a missing" : "an unknown",
                       suppressed_note(suppressed));
      send(text_response(http::status::forbidden,
                         "a valid one-time bridge token is required",
                         req.version(), false));
      return;
    }
    auto session = std::make_shared<detail::bridge_session<Stream>>(
      std::move(stream_), std::move(*peer), opts_.max_message_bytes);
    session->run(std::move(req));
  }

  template <class Response>
  void send(Response&& res) {
    using response_type = std::decay_t<Response>;
    auto sp = std::make_shared<response_type>(std::forward<Response>(res));
    auto keep_alive = sp->keep_alive();
    http::async_write(stream_, *sp,
                      [self = this->shared_from_this(), sp,
                       keep_alive](beast::error_code ec, std::size_t) {
                        self->on_write(keep_alive, ec);
                      });
  }

  void on_write(bool keep_alive, beast::error_code ec) {
    if (ec)
      return;
    if (!keep_alive) {
      close();
      return;
    }
    do_read();
  }

  Stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::shared_ptr<http_routes> routes_;
  const http_server_options& opts_;
};

} // namespace

// -- listener -----------------------------------------------------------------

struct http_server::impl {
  explicit impl(http_server_options o)
    : opts(std::move(o)), acceptor(net::make_strand(ioc)) {
    // nop
  }

  void do_accept() {
    acceptor.async_accept(net::make_strand(ioc), [this](beast::error_code ec,
                                                        tcp::socket socket) {
      if (ec) {
        if (ec != net::error::operation_aborted)
          logger()->warn("accept: {}", ec.message());
        if (!acceptor.is_open())
          return;
      } else if (ssl) {
        std::make_shared<http_session<tls_stream>>(
          tls_stream{std::move(socket), *ssl}, routes, opts)
          ->run();
      } else {
        std::make_shared<http_session<beast::tcp_stream>>(
          beast::tcp_stream{std::move(socket)}, routes, opts)
          ->run();
      }
      do_accept();
    });
  }

  http_server_options opts;
  /// Set when the options carry a TLS identity.
  std::optional<net::ssl::context> ssl;
  std::shared_ptr<http_routes> routes;
  net::io_context ioc{1};
  tcp::acceptor acceptor;
};

std::shared_ptr<http_server> http_server::start(http_server_options opts) {
  std::shared_ptr<http_server> srv{new http_server};
  srv->routes_ = std::make_shared<http_routes>();
  srv->impl_ = std::make_unique<impl>(std::move(opts));
  auto& im = *srv->impl_;
  im.routes = srv->routes_;
  beast::error_code ec;
  auto addr = net::ip::make_address(im.opts.host, ec);
  if (ec)
    throw std::runtime_error("server.host: '" + im.opts.host
                             + "' is not an IP address");
  if (im.opts.tls)
    im.ssl.emplace(make_server_tls_context(*im.opts.tls, "server.tls"));
  srv->port_ = listen_on(im.acceptor, tcp::endpoint{addr, im.opts.port},
                         im.opts.host + ":" + std::to_string(im.opts.port));
  srv->host_ = im.opts.host;
  srv->tls_ = im.opts.tls != nullptr;
  im.do_accept();
  srv->io_thread_ = std::thread{[&im] { run_io(im.ioc); }};
  return srv;
}

http_server::~http_server() {
  stop();
}

std::string http_server::origin() const {
  auto host = host_.find(':') == std::string::npos ? host_ : "[" + host_ + "]";
  return (tls_ ? "https://" : "http://") + host + ":" + std::to_string(port_);
}

void http_server::stop() {
  if (!impl_)
    return;
  net::post(impl_->acceptor.get_executor(), [im = impl_.get()] {
    beast::error_code ec;
    im->acceptor.close(ec);
  });
  impl_->ioc.stop();
  if (io_thread_.joinable())
    io_thread_.join();
  impl_.reset();
}

} // namespace webaccel
