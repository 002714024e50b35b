// The doctest runner; test cases live beside it, one file per unit.
// Logs are quiet unless WEBACCEL_LOG_LEVEL asks for more.
#define DOCTEST_CONFIG_IMPLEMENT
#include <cstdlib>

#include <doctest/doctest.h>

#include "config/logging.hpp"

int main(int argc, char** argv) {
  auto level = std::getenv("WEBACCEL_LOG_LEVEL");
  webaccel::set_log_level(level ? level : "err");
  doctest::Context context;
  context.applyCommandLine(argc, argv);
  return context.run();
}
