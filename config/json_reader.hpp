// Reads JSON config objects with key paths in every error and rejection of
// unknown keys, so that a typo never passes silently.
#pragma once

#include <cstdint>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/runtime_config.hpp"

namespace webaccel {

[[noreturn]] inline void fail(const std::string& path,
                              const std::string& what) {
  throw config_error(path + ": " + what);
}

inline std::string type_name(const nlohmann::json& x) {
  return x.type_name();
}

/// `p` relative to `base_dir` unless it is absolute (or empty).
inline std::string resolve_path(const std::string& base_dir,
                                const std::string& p) {
  if (p.empty() || std::filesystem::path{p}.is_absolute())
    return p;
  return (std::filesystem::path{base_dir} / p).lexically_normal().string();
}

inline void check_precision(const std::string& path, const std::string& p) {
  if (p != "fp32" && p != "fp16" && p != "q8" && p != "q4")
    fail(path, "unknown precision '" + p + "' (expected fp32, fp16, q8, q4)");
}

/// Reads one JSON object, remembering its key path and rejecting unknown keys.
class object_reader {
public:
  object_reader(const nlohmann::json& obj, std::string path)
    : obj_(obj), path_(std::move(path)) {
    if (!obj_.is_object())
      fail(path_, "expected an object, got " + type_name(obj_));
  }

  /// Fails if the object has a key that no getter asked for.
  void reject_unknown_keys() const {
    for (auto& [key, value] : obj_.items())
      if (known_.count(key) == 0)
        fail(path_, "unknown key '" + key + "'");
  }

  const nlohmann::json* find(const std::string& key) {
    known_.insert(key);
    auto i = obj_.find(key);
    return i == obj_.end() ? nullptr : &*i;
  }

  const std::string& path() const {
    return path_;
  }

  std::string child(const std::string& key) const {
    return path_ + "." + key;
  }

  void get(const std::string& key, std::string& out) {
    if (auto x = find(key)) {
      if (!x->is_string())
        fail(child(key), "expected a string, got " + type_name(*x));
      out = x->get<std::string>();
    }
  }

  void get(const std::string& key, bool& out) {
    if (auto x = find(key)) {
      if (!x->is_boolean())
        fail(child(key), "expected true or false, got " + type_name(*x));
      out = x->get<bool>();
    }
  }

  void get_number(const std::string& key, double& out, double min, double max) {
    if (auto x = find(key)) {
      if (!x->is_number())
        fail(child(key), "expected a number, got " + type_name(*x));
      auto v = x->get<double>();
      if (v < min || v > max)
        fail(child(key), "must be between " + nlohmann::json(min).dump()
                           + " and " + nlohmann::json(max).dump() + ", got "
                           + x->dump());
      out = v;
    }
  }

  template <class Int>
  void get_int(const std::string& key, Int& out, uint64_t min, uint64_t max) {
    if (auto x = find(key)) {
      if (!x->is_number_unsigned() && !x->is_number_integer())
        fail(child(key), "expected an integer, got " + type_name(*x));
      if (x->is_number_integer() && x->get<int64_t>() < 0)
        fail(child(key), "must not be negative");
      auto v = x->get<uint64_t>();
      if (v < min || v > max)
        fail(child(key), "must be between " + std::to_string(min) + " and "
                           + std::to_string(max) + ", got "
                           + std::to_string(v));
      out = static_cast<Int>(v);
    }
  }

  void get(const std::string& key, std::vector<std::string>& out) {
    if (auto x = find(key)) {
      if (!x->is_array())
        fail(child(key), "expected an array of strings, got " + type_name(*x));
      out.clear();
      for (size_t i = 0; i < x->size(); ++i) {
        if (!(*x)[i].is_string())
          fail(child(key) + "[" + std::to_string(i) + "]",
               "expected a string, got " + type_name((*x)[i]));
        out.push_back((*x)[i].get<std::string>());
      }
    }
  }

private:
  const nlohmann::json& obj_;
  std::string path_;
  std::set<std::string> known_;
};

} // namespace webaccel
