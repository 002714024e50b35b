#include "tools/report/report_time.hpp"

#include <ctime>
#include <regex>

#include "tools/cli_args.hpp"

namespace webaccel {

double parse_since(const std::string& text, double now_s) {
  static const std::regex age{R"(^(\d+)([smhd])$)"};
  static const std::regex epoch{R"(^\d+(\.\d+)?$)"};
  static const std::regex iso{
    R"(^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?Z?)?$)"};
  std::smatch m;
  if (std::regex_match(text, m, age)) {
    double n = std::stod(m[1]);
    auto unit = m[2].str()[0];
    double scale = unit == 's'   ? 1
                   : unit == 'm' ? 60
                   : unit == 'h' ? 3600
                                 : 86400;
    return now_s - n * scale;
  }
  if (std::regex_match(text, epoch))
    return std::stod(text);
  if (std::regex_match(text, m, iso)) {
    std::tm tm{};
    tm.tm_year = std::stoi(m[1]) - 1900;
    tm.tm_mon = std::stoi(m[2]) - 1;
    tm.tm_mday = std::stoi(m[3]);
    tm.tm_hour = m[4].matched ? std::stoi(m[4]) : 0;
    tm.tm_min = m[5].matched ? std::stoi(m[5]) : 0;
    tm.tm_sec = m[6].matched ? std::stoi(m[6]) : 0;
    if (tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23
        || tm.tm_min > 59 || tm.tm_sec > 60)
      throw usage_error("--since: '" + text + "' is not a valid time");
    return double(timegm(&tm));
  }
  throw usage_error("--since: expected seconds since the epoch, a UTC time "
                    "(2026-12-01T09:00:00Z) or an age (90s, 30m, 2h, 7d), "
                    "got '"
                    + text + "'");
}

} // namespace webaccel
