// Maps what a page reported (JS error name and message) to one of the error
// categories of DESIGN.md, by a table of rules: the built-in ones, tested
// on error strings captured from Chromium and Firefox
// (tools/error_capture), after any the configuration adds.
#pragma once

#include <string>
#include <vector>

#include "messages/classification_rule.hpp"

namespace webaccel {

/// The built-in rules, most specific first.
const std::vector<classification_rule>& default_classification_rules();

/// Classifies page errors by `extra` rules first, then the built-in ones. An
/// error no rule matches is `model_incompatible` while loading, and
/// `invalid_request` while running: the run was given inputs the model
/// rejects, which is the caller's to fix.
class error_classifier {
public:
  explicit error_classifier(std::vector<classification_rule> extra = {});

  errc classify(const std::string& name, const std::string& message,
                page_phase phase) const;

private:
  std::vector<classification_rule> rules_;
};

/// The built-in rules alone.
errc classify_page_error(const std::string& name, const std::string& message,
                         page_phase phase);

} // namespace webaccel
