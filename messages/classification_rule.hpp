// A row of the page-error classification table (actors/error_classifier):
// plain data, so that the configuration can add rows.
#pragma once

#include <optional>
#include <string>

#include "messages/error.hpp"

namespace webaccel {

/// When a page error happened.
enum class page_phase { load, infer };

/// A page error whose JS name is `name` (if not empty), whose message
/// contains `message` (if not empty; case does not matter) and that happened
/// in `phase` (if set) is of `category`.
struct classification_rule {
  std::string name;
  std::string message;
  std::optional<page_phase> phase;
  errc category = errc::none;
};

} // namespace webaccel
