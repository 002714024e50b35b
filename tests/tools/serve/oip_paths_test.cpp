#include "tools/serve/oip_paths.hpp"

#include <string>

#include <doctest/doctest.h>

using namespace webaccel;

TEST_CASE("model paths name a model, maybe a version, and an action") {
  auto p = parse_model_path("/v2/models/tiny_bert");
  REQUIRE(p);
  CHECK(p->model == "tiny_bert");
  CHECK(p->version.empty());
  CHECK(p->action.empty());
  p = parse_model_path("/v2/models/tiny_bert/versions/1/infer");
  REQUIRE(p);
  CHECK(p->version == "1");
  CHECK(p->action == "infer");
  for (auto action : {"ready", "stats", "config"})
    CHECK(parse_model_path(std::string{"/v2/models/m.v-2/"} + action)->action
          == action);
  CHECK(parse_model_path("/v2/models/m/versions/7")->version == "7");
  CHECK_FALSE(parse_model_path("/v2/models/"));
  CHECK_FALSE(parse_model_path("/v2/models/m/explode"));
  CHECK_FALSE(parse_model_path("/v2/models/m/versions/"));
  CHECK_FALSE(parse_model_path("/v2/models/m/versions"));
  CHECK_FALSE(parse_model_path("/v2/models/a b/infer"));
  CHECK_FALSE(parse_model_path("/v2/modelsx/m"));
  CHECK_FALSE(parse_model_path("/v2/models/m/infer/more"));
  // A path as long as a request head may be: no recursion, no crash.
  CHECK_FALSE(parse_model_path("/v2/models/" + std::string(16000, 'a')));
}

TEST_CASE("repository paths load or unload one model") {
  auto r = parse_repository_path("/v2/repository/models/tiny_bert/load");
  REQUIRE(r);
  CHECK(r->model == "tiny_bert");
  CHECK(r->load);
  CHECK_FALSE(parse_repository_path("/v2/repository/models/m/unload")->load);
  CHECK_FALSE(parse_repository_path("/v2/repository/models/m/delete"));
  CHECK_FALSE(parse_repository_path("/v2/repository/models//load"));
}
