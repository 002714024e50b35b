// The library's one logger, named "webaccel". Every layer writes through
// logger(). By default it goes to stderr, never to stdout: a host that prints
// its results on stdout gets none of our lines mixed in. A host replaces it
// (its own sinks, pattern and level) or silences it with set_logger().
// Warnings caused by outside input go through a log_rate_limit
// (log_rate_limit.hpp).
#pragma once

#include <memory>
#include <string>

#include <spdlog/logger.h>

namespace webaccel {

/// The current logger. Created on first use: "webaccel", stderr, level
/// info. Safe to call from any thread, also while set_logger() runs.
std::shared_ptr<spdlog::logger> logger();

/// Replaces the logger for every later line; nullptr silences webaccel.
void set_logger(std::shared_ptr<spdlog::logger> replacement);

/// Sets the current logger's level by spdlog's name ("trace", "debug",
/// "info", "warn", "error", "critical", "off"); false if the name is none
/// of these.
bool set_log_level(const std::string& level);

} // namespace webaccel
