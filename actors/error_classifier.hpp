// Maps what a page reported (JS error name and message) to one of the error
// categories of DESIGN.md. Pure function; issue 5 grows it into a rules
// table extendable from config.
#pragma once

#include <string>

#include "messages/error.hpp"

namespace webaccel {

/// When a page error happened.
enum class page_phase { load, infer };

/// The category of a page error.
errc classify_page_error(const std::string& name, const std::string& message,
                         page_phase phase);

} // namespace webaccel
