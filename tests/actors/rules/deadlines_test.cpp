#include "actors/rules/deadlines.hpp"

#include <doctest/doctest.h>

using namespace webaccel;

TEST_CASE("a request's deadline: its own, else scaled by family and input "
          "size") {
  timeout_policy p;
  p.infer_ms = 1000;
  CHECK(request_deadline_ms(p, model_family::audio, 10, 0) == 3000);
  CHECK(request_deadline_ms(p, model_family::vision, 10, 0) == 2000);
  CHECK(request_deadline_ms(p, model_family::text_embedding, 10, 0) == 1500);
  CHECK(request_deadline_ms(p, model_family::multimodal, 10, 0) == 1000);
  // 4 MiB of input is four times the reference size.
  CHECK(request_deadline_ms(p, model_family::vision, 4u << 20, 0) == 8000);
  // The caller's word stands.
  CHECK(request_deadline_ms(p, model_family::audio, 4u << 20, 250) == 250);
  // Capped.
  p.max_infer_ms = 5000;
  CHECK(request_deadline_ms(p, model_family::vision, 4u << 20, 0) == 5000);
}
