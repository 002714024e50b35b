#include "messages/error.hpp"

namespace webaccel {

std::string render_error(const caf::error& err) {
  if (!err)
    return "no error";
  if (err.category() == caf::atom("webaccel")) {
    std::string out = to_string(static_cast<errc>(err.code()));
    auto& ctx = err.context();
    if (ctx.size() == 1 && ctx.match_element<std::string>(0))
      out += ": " + ctx.get_as<std::string>(0);
    return out;
  }
  return caf::to_string(err);
}

} // namespace webaccel
