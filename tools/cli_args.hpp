// A tiny command-line parser shared by the CLI's commands: flags with and
// without values, every unknown or incomplete one reported by name.
#pragma once

#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace webaccel {

/// Thrown for a bad command line; what() says what is wrong.
class usage_error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

class cli_args {
public:
  /// Parses `args`; `with_value` flags take the next argument, `switches`
  /// stand alone. @throws usage_error
  cli_args(const std::vector<std::string>& args,
           const std::set<std::string>& with_value,
           const std::set<std::string>& switches) {
    for (size_t i = 0; i < args.size(); ++i) {
      auto& a = args[i];
      if (switches.count(a) > 0) {
        values_[a] = "";
      } else if (with_value.count(a) > 0) {
        if (i + 1 >= args.size())
          throw usage_error(a + " needs a value");
        values_[a] = args[++i];
      } else {
        throw usage_error("unknown option '" + a + "'");
      }
    }
  }

  bool has(const std::string& flag) const {
    return values_.count(flag) > 0;
  }

  std::string get(const std::string& flag, std::string fallback = {}) const {
    auto i = values_.find(flag);
    return i == values_.end() ? fallback : i->second;
  }

  /// An integer flag of at least `min` (positive by default).
  /// @throws usage_error
  size_t get_count(const std::string& flag, size_t fallback,
                   size_t min = 1) const {
    auto i = values_.find(flag);
    if (i == values_.end())
      return fallback;
    try {
      size_t pos = 0;
      auto v = std::stoul(i->second, &pos);
      if (pos == i->second.size() && i->second[0] != '-' && v >= min)
        return v;
    } catch (const std::exception&) {
      // Reported below.
    }
    throw usage_error(flag + " expects "
                      + (min == 1
                           ? std::string{"a positive integer"}
                           : "an integer of at least " + std::to_string(min))
                      + ", got '" + i->second + "'");
  }

private:
  std::map<std::string, std::string> values_;
};

} // namespace webaccel
