// Captures what the library logs while it lives (the host's way: a logger
// of its own through set_logger), and puts the previous logger back.
#pragma once

#include <memory>
#include <sstream>
#include <string>

#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include "config/logging.hpp"

namespace webaccel::test {

class log_capture {
public:
  log_capture() : saved_(logger()) {
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(text_);
    auto captured = std::make_shared<spdlog::logger>("webaccel", sink);
    captured->set_pattern("%l %v");
    captured->set_level(spdlog::level::debug);
    set_logger(std::move(captured));
  }

  ~log_capture() {
    set_logger(saved_);
  }

  log_capture(const log_capture&) = delete;
  log_capture& operator=(const log_capture&) = delete;

  /// Everything logged so far, one "level message" per line.
  std::string text() {
    // Read after the threads that log have been joined.
    logger()->flush();
    return text_.str();
  }

private:
  std::shared_ptr<spdlog::logger> saved_;
  std::ostringstream text_;
};

} // namespace webaccel::test
