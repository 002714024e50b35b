#include "config/json_input.hpp"

#include <string>

#include <doctest/doctest.h>

using namespace webaccel;
namespace in = webaccel::json_input;

namespace {

std::string nested(size_t depth, const std::string& inner = "1") {
  return std::string(depth, '[') + inner + std::string(depth, ']');
}

} // namespace

TEST_CASE("the depth scan counts arrays and objects, not brackets in "
          "strings or comments") {
  CHECK(in::nesting_depth("1") == 0);
  CHECK(in::nesting_depth("[]") == 1);
  CHECK(in::nesting_depth(R"({"a": [1, {"b": []}]})") == 4);
  CHECK(in::nesting_depth(R"(["[[[[", "\"[[[", "\\"])") == 1);
  CHECK(in::nesting_depth("// [[[[\n[/* {{{{ */]", true) == 1);
  // Without comments allowed, a comment's brackets count (the parser
  // refuses the comment anyway).
  CHECK(in::nesting_depth("// [[[[\n[]") == 5);
  CHECK(in::nesting_depth(nested(1000), false, 64) == 65);
}

TEST_CASE("a document nested deeper than the bound is refused before it "
          "is parsed, at any size") {
  auto ok = in::parse(nested(in::max_depth));
  CHECK_MESSAGE(ok, ok.error);
  auto deep = in::parse(nested(in::max_depth + 1));
  CHECK_FALSE(deep);
  CHECK(deep.error == "nested deeper than 64 levels of arrays and objects");
  // The request that killed `serve`: 200,000 levels in about 400 KB.
  auto attack = in::parse(R"({"inputs":[{"data":)" + nested(200000) + "}]}");
  CHECK(attack.error == "nested deeper than 64 levels of arrays and objects");
  CHECK(in::parse(nested(3), {2, false}).error
        == "nested deeper than 2 levels of arrays and objects");
}

TEST_CASE("malformed JSON is an error that says where, never an exception") {
  auto bad = in::parse(R"({"a": )");
  CHECK_FALSE(bad);
  CHECK(bad.error.rfind("not valid JSON: ", 0) == 0);
  CHECK(bad.error.find("line 1") != std::string::npos);
  CHECK_FALSE(in::parse("// c\n{}"));
  CHECK(in::parse("// c\n{}", {in::max_depth, true}));
  CHECK_FALSE(in::parse("\xff\xfe"));
}

TEST_CASE("fields of the wrong type read as absent, never as a throw") {
  auto doc = in::parse(R"({"s": "x", "b": true, "n": 7, "neg": -3,
                           "big": 18446744073709551615, "o": {}, "a": [],
                           "wrong": [1]})")
               .doc;
  CHECK(in::string_at(doc, "s") == "x");
  CHECK_FALSE(in::string_at(doc, "wrong"));
  CHECK(in::string_or(doc, "n", "d") == "d");
  CHECK(in::bool_or(doc, "b") == true);
  CHECK(in::bool_or(doc, "wrong", true) == true);
  CHECK(in::bool_or(doc, "n") == false);
  CHECK(in::unsigned_at(doc, "n") == 7u);
  CHECK_FALSE(in::unsigned_at(doc, "neg"));
  CHECK(in::integer_at(doc, "neg") == -3);
  CHECK_FALSE(in::integer_at(doc, "big"));
  CHECK_FALSE(in::integer_at(doc, "s"));
  CHECK(in::object_at(doc, "o") != nullptr);
  CHECK(in::object_at(doc, "a") == nullptr);
  CHECK(in::array_at(doc, "a") != nullptr);
  CHECK(in::member(doc, "missing") == nullptr);
  // Not an object at all.
  CHECK(in::member(in::json::array(), "s") == nullptr);
  CHECK(in::string_or(in::json(5), "s", "d") == "d");
}

TEST_CASE("an excerpt of a document is short") {
  std::string many = "[1";
  for (int i = 0; i < 1000; ++i)
    many += ",1";
  auto doc = in::parse(many + "]").doc;
  auto text = in::excerpt(doc, 20);
  CHECK(text.size() == 23);
  CHECK(text.substr(20) == "...");
}
