#include "config/node_policy.hpp"

namespace webaccel {

bool valid_node_name(const std::string& name, std::string& error) {
  if (name.empty() || name.size() > 64) {
    error = "a node name has 1 to 64 characters, got "
            + std::to_string(name.size());
    return false;
  }
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    if (!ok) {
      error = "a node name may hold letters, digits, '.', '_' and '-' only: '"
              + name + "'";
      return false;
    }
  }
  return true;
}

} // namespace webaccel
