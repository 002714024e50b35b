#include "actors/rules/recovery_chain.hpp"

#include <algorithm>

#include "actors/rules/pool_rules.hpp"

namespace webaccel {

namespace {

using strategy = recovery_strategy;

bool was_tried(const recovery_options& options, const placement_target& t) {
  return std::find(options.tried.begin(), options.tried.end(), t)
         != options.tried.end();
}

/// Whether browsers of `kind` have `platform`: known yes, known no (with the
/// probe's reason), or not known before one is started.
enum class probe { yes, no, unknown };

probe has_platform(const recovery_options& options, const std::string& kind,
                   const std::string& platform, std::string* reason = nullptr) {
  auto i = options.probed.find(kind);
  if (i == options.probed.end())
    return probe::unknown;
  auto support = i->second.platform(platform);
  if (support != nullptr && support->available)
    return probe::yes;
  if (reason != nullptr)
    *reason = support == nullptr ? "unknown platform" : support->reason;
  return probe::no;
}

uint64_t variant_bytes(const model_variant& v) {
  uint64_t n = 0;
  for (auto& [part, file] : v.parts)
    n += file.size_bytes;
  return n;
}

const model_variant* find_variant(const recovery_options& options,
                                  const placement_target& t) {
  for (auto& v : options.variants)
    if (v.precision == t.precision && v.mixed_precision == t.mixed_precision)
      return &v;
  return nullptr;
}

placement_target with_variant(placement_target t, const model_variant& v) {
  t.precision = v.precision;
  t.mixed_precision = v.mixed_precision;
  return t;
}

std::string variant_list(const recovery_options& options) {
  std::string out;
  for (auto& v : options.variants)
    out += (out.empty() ? "" : ", ") + v.precision
           + (v.mixed_precision ? "-mixed" : "");
  return out;
}

std::variant<placement_target, std::string>
another_browser(const placement_target& current,
                const recovery_options& options) {
  std::string notes;
  for (auto& kind : options.kinds) {
    if (kind == current.kind)
      continue;
    auto t = current;
    t.kind = kind;
    // The failed platform if the kind has it, else its first of the list.
    if (has_platform(options, kind, current.platform) == probe::no) {
      t.platform.clear();
      for (auto& p : options.priority_list)
        if (has_platform(options, kind, p) != probe::no) {
          t.platform = p;
          break;
        }
      if (t.platform.empty()) {
        notes += "; " + kind + " has none of the requested platforms";
        continue;
      }
    }
    if (!was_tried(options, t))
      return t;
  }
  return "no other browser may run it (allowed: "
         + (options.kinds.empty() ? std::string{"none"} : [&] {
             std::string all;
             for (auto& k : options.kinds)
               all += (all.empty() ? "" : ", ") + k;
             return all;
           }()) + ")" + notes;
}

std::variant<placement_target, std::string>
another_platform(const placement_target& current,
                 const recovery_options& options) {
  std::string notes;
  for (auto& p : options.priority_list) {
    if (p == current.platform)
      continue;
    std::string reason;
    if (has_platform(options, current.kind, p, &reason) == probe::no) {
      notes += "; " + p + ": " + reason;
      continue;
    }
    auto t = current;
    t.platform = p;
    if (!was_tried(options, t))
      return t;
  }
  return "no other platform of the request's list on " + current.kind + notes;
}

std::variant<placement_target, std::string>
lower_precision(const placement_target& current,
                const recovery_options& options) {
  auto rank = precision_rank(current.precision);
  const model_variant* best = nullptr;
  for (auto& v : options.variants) {
    auto r = precision_rank(v.precision);
    if (r <= rank || was_tried(options, with_variant(current, v)))
      continue;
    auto better = best == nullptr || r < precision_rank(best->precision)
                  || (r == precision_rank(best->precision)
                      && v.mixed_precision == current.mixed_precision);
    if (better)
      best = &v;
  }
  if (best == nullptr)
    return "no variant below " + current.precision + " (has "
           + variant_list(options) + ")";
  return with_variant(current, *best);
}

std::variant<placement_target, std::string>
smaller_variant(const placement_target& current,
                const recovery_options& options) {
  auto now = find_variant(options, current);
  if (now == nullptr)
    return "the model has no " + current.precision + " variant to compare with";
  auto size = variant_bytes(*now);
  const model_variant* best = nullptr;
  for (auto& v : options.variants) {
    auto bytes = variant_bytes(v);
    if (bytes >= size || was_tried(options, with_variant(current, v)))
      continue;
    if (best == nullptr || bytes > variant_bytes(*best))
      best = &v;
  }
  if (best == nullptr)
    return "no variant smaller than " + current.precision + " ("
           + std::to_string(size) + " bytes; has " + variant_list(options)
           + ")";
  return with_variant(current, *best);
}

} // namespace

const char* to_string(recovery_strategy x) {
  switch (x) {
    case strategy::retry:
      return "retry";
    case strategy::restart_browser:
      return "restart_browser";
    case strategy::another_browser:
      return "another_browser";
    case strategy::lower_precision:
      return "lower_precision";
    case strategy::another_platform:
      return "another_platform";
    case strategy::smaller_variant:
      return "smaller_variant";
  }
  return "unknown";
}

const std::vector<recovery_strategy>& strategy_chain(errc category) {
  // DESIGN.md's table; the order matters.
  static const std::vector<strategy> none;
  static const std::map<errc, std::vector<strategy>> chains = {
    {errc::connection,
     {strategy::retry, strategy::restart_browser, strategy::another_browser}},
    {errc::browser_crash,
     {strategy::restart_browser, strategy::another_browser}},
    {errc::out_of_memory,
     {strategy::smaller_variant, strategy::lower_precision,
      strategy::another_browser}},
    {errc::timeout, {strategy::retry, strategy::restart_browser}},
    {errc::unsupported_operation,
     {strategy::another_platform, strategy::another_browser}},
    {errc::browser_capability,
     {strategy::another_browser, strategy::another_platform}},
    {errc::model_incompatible,
     {strategy::another_platform, strategy::lower_precision,
      strategy::smaller_variant}},
  };
  auto i = chains.find(category);
  return i == chains.end() ? none : i->second;
}

std::chrono::milliseconds retry_delay(const recovery_policy& policy,
                                      uint32_t earlier, double jitter) {
  // The same backoff as the pool's restarts, with recovery's own limits.
  restart_policy backoff;
  backoff.backoff_base_ms = policy.backoff_base_ms;
  backoff.backoff_max_ms = policy.backoff_max_ms;
  return restart_delay(backoff, earlier, jitter);
}

int precision_rank(const std::string& precision) {
  static const char* order[] = {"fp32", "fp16", "q8", "q4"};
  for (int i = 0; i < 4; ++i)
    if (precision == order[i])
      return i;
  return 4;
}

std::variant<placement_target, std::string>
next_target(recovery_strategy s, const placement_target& current,
            const recovery_options& options) {
  switch (s) {
    case strategy::retry:
    case strategy::restart_browser:
      return current;
    case strategy::another_browser:
      return another_browser(current, options);
    case strategy::lower_precision:
      return lower_precision(current, options);
    case strategy::another_platform:
      return another_platform(current, options);
    case strategy::smaller_variant:
      return smaller_variant(current, options);
  }
  return std::string{"unknown strategy"};
}

} // namespace webaccel
