// A remote end that stalls: it accepts TCP connections on loopback, reads
// what comes, never answers, and closes each connection after `hold` (a
// WebDriver endpoint or Grid that hangs). For tests of what must not wait
// for it.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace webaccel::test {

class stall_server {
public:
  explicit stall_server(std::chrono::milliseconds hold) : hold_(hold) {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0; // Any free port.
    ::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::listen(listener_, 16);
    socklen_t len = sizeof addr;
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread{[this] { serve(); }};
  }

  ~stall_server() {
    stop_ = true;
    thread_.join();
    ::close(listener_);
  }

  std::string url() const {
    return "http://127.0.0.1:" + std::to_string(port_);
  }

  /// Connections accepted so far.
  size_t accepted() const {
    return accepted_;
  }

private:
  struct held {
    int fd;
    std::chrono::steady_clock::time_point since;
  };

  void serve() {
    std::vector<held> open;
    while (!stop_) {
      std::vector<pollfd> fds{{listener_, POLLIN, 0}};
      for (auto& h : open)
        fds.push_back({h.fd, POLLIN, 0});
      ::poll(fds.data(), fds.size(), 50);
      if (fds[0].revents & POLLIN) {
        if (auto fd = ::accept(listener_, nullptr, nullptr); fd >= 0) {
          open.push_back({fd, std::chrono::steady_clock::now()});
          ++accepted_;
        }
      }
      char buf[4096];
      for (size_t i = 1; i < fds.size(); ++i)
        if (fds[i].revents & POLLIN) [[maybe_unused]]
          auto n = ::read(fds[i].fd, buf, sizeof buf);
      auto now = std::chrono::steady_clock::now();
      for (auto i = open.begin(); i != open.end();) {
        if (now - i->since >= hold_) {
          ::close(i->fd);
          i = open.erase(i);
        } else {
          ++i;
        }
      }
    }
    for (auto& h : open)
      ::close(h.fd);
  }

  std::chrono::milliseconds hold_;
  int listener_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<size_t> accepted_{0};
  std::thread thread_;
};

} // namespace webaccel::test
