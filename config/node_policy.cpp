#include "config/node_policy.hpp"

#include <unistd.h>

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

std::string host_name() {
  char host[256] = {};
  if (gethostname(host, sizeof(host) - 1) != 0)
    return {};
  return host;
}

bool parse_head_address(const std::string& address, std::string& host,
                        uint16_t& port, std::string& error) {
  auto colon = address.rfind(':');
  auto digits = colon == std::string::npos ? std::string{}
                                           : address.substr(colon + 1);
  auto bad = [&] {
    error = "expected HOST:PORT, got '" + address + "'";
    return false;
  };
  if (colon == std::string::npos || colon == 0 || digits.empty()
      || digits.size() > 5
      || digits.find_first_not_of("0123456789") != std::string::npos)
    return bad();
  auto number = std::stoul(digits);
  if (number == 0 || number > 65535)
    return bad();
  host = address.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  port = static_cast<uint16_t>(number);
  return true;
}

} // namespace webaccel
