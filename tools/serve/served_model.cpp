#include "tools/serve/served_model.hpp"

namespace webaccel {

const char* to_string(served_state x) {
  switch (x) {
    case served_state::loading:
      return "LOADING";
    case served_state::ready:
      return "READY";
    case served_state::failing:
    case served_state::unavailable:
      return "UNAVAILABLE";
    case served_state::unloaded:
      break;
  }
  return "UNLOADED";
}

bool model_cannot_run(errc code) {
  switch (code) {
    case errc::connection:
    case errc::browser_crash:
    case errc::out_of_memory:
    case errc::unsupported_operation:
    case errc::browser_capability:
    case errc::model_incompatible:
    case errc::browser_unavailable:
      return true;
    default:
      return false;
  }
}

bool served_model::load_started() {
  if (loaded())
    return false;
  state_ = served_state::loading;
  reason_.clear();
  return true;
}

void served_model::load_succeeded() {
  state_ = served_state::ready;
  reason_.clear();
}

void served_model::load_failed(std::string why) {
  state_ = served_state::unavailable;
  reason_ = std::move(why);
}

void served_model::unloaded() {
  state_ = served_state::unloaded;
  reason_.clear();
}

void served_model::answered() {
  if (state_ == served_state::failing)
    load_succeeded(); // Recovered: a browser took it again.
}

void served_model::request_failed(errc code, const std::string& what) {
  if (state_ != served_state::ready || !model_cannot_run(code))
    return;
  state_ = served_state::failing;
  reason_ = "its last request failed after recovery: " + what;
}

} // namespace webaccel
