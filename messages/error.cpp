#include "messages/error.hpp"

namespace webaccel {

std::string error_text(const caf::message& context) {
  if (context.size() == 1 && context.match_element<std::string>(0))
    return context.get_as<std::string>(0);
  return {};
}

std::string render_error(errc code, const caf::message& context) {
  auto what = error_text(context);
  return what.empty() ? to_string(code) : to_string(code) + (": " + what);
}

std::string render_error(const caf::error& err) {
  if (!err)
    return "no error";
  if (err.category() == caf::atom("webaccel"))
    return render_error(static_cast<errc>(err.code()), err.context());
  return caf::to_string(err);
}

} // namespace webaccel
