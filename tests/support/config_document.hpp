// The default config as a JSON document with the build's paths filled in,
// for tests that write a config file for the CLI.
#pragma once

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "tests/support/cli_child.hpp"

namespace webaccel::test {

inline nlohmann::json default_config_document() {
  std::ifstream in{std::string{WEBACCEL_TEST_DATA}
                   + "/../config/default_config.json.in"};
  std::stringstream buf;
  buf << in.rdbuf();
  auto source
    = std::filesystem::canonical(std::string{WEBACCEL_TEST_DATA} + "/..")
        .string();
  auto build
    = std::filesystem::path{cli()}.parent_path().parent_path().string();
  auto text = std::regex_replace(
    std::regex_replace(buf.str(), std::regex{"@SOURCE_DIR@"}, source),
    std::regex{"@BUILD_DIR@"}, build);
  return nlohmann::json::parse(text, nullptr, true, true);
}

} // namespace webaccel::test
