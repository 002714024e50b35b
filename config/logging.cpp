#include "config/logging.hpp"

#include <atomic>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

namespace webaccel {

namespace {

std::shared_ptr<spdlog::logger> make_default_logger() {
  // Not registered with spdlog's registry: the host's own set_level() and
  // set_default_logger() calls stay its business.
  auto sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
  auto out = std::make_shared<spdlog::logger>("webaccel", std::move(sink));
  out->set_level(spdlog::level::info);
  return out;
}

std::shared_ptr<spdlog::logger> make_silent_logger() {
  auto out = std::make_shared<spdlog::logger>("webaccel");
  out->set_level(spdlog::level::off);
  return out;
}

std::shared_ptr<spdlog::logger>& current() {
  static std::shared_ptr<spdlog::logger> instance = make_default_logger();
  return instance;
}

} // namespace

std::shared_ptr<spdlog::logger> logger() {
  return std::atomic_load(&current());
}

void set_logger(std::shared_ptr<spdlog::logger> replacement) {
  std::atomic_store(&current(), replacement ? std::move(replacement)
                                            : make_silent_logger());
}

bool set_log_level(const std::string& level) {
  auto parsed = spdlog::level::from_str(level);
  // from_str answers "off" for every name it does not know.
  if (parsed == spdlog::level::off && level != "off")
    return false;
  logger()->set_level(parsed);
  return true;
}

} // namespace webaccel
