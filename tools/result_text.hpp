// Human-readable views of results for `webaccel run`: what a model family's
// outputs mean (speech over time, recognised text, embeddings, scores).
#pragma once

#include <string>

#include "messages/inference.hpp"

namespace webaccel {

/// Where and how a result was computed, on one line.
std::string describe_origin(const infer_result& r);

/// What the outputs say, a few indented lines.
std::string describe_outputs(const infer_result& r);

} // namespace webaccel
