#include "config/runtime_config.hpp"
#include "tools/commands.hpp"

namespace webaccel {

runtime_config load_cli_config(const std::string& path) {
  auto cfg = path.empty() ? default_config() : load_config_file(path);
  apply_environment(cfg);
  return cfg;
}

} // namespace webaccel
