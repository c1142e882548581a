// The Evolink task query's 429 and 500 are pinned by its route's response schemas, so
// --self-check refuses the create route's words there (issue 12 §4: before, every error
// answer only had to be an ErrorResponse, whatever its words).
#include <doctest/doctest.h>

#include "http/self_check.h"
#include "support/provider_fixtures.h"

namespace imagine::testing {

TEST_CASE("self-check: the task query's 429/500 must carry that route's own words") {
  auto surface = EvolinkSurface();
  auto answer = [](int status, const char* body) {
    ApiResponse r;
    r.status = status;
    r.body = body;
    r.is_error = true;
    return r;
  };
  SelfCheck check(true);
  CHECK(check.Check(*surface, "getTaskDetail",
                    answer(429, R"({"error":{"code":"rate_limit_exceeded","message":"Rate limit exceeded","type":"evo_api_error"}})")) == "");
  CHECK(check.Check(*surface, "getTaskDetail",
                    answer(500, R"({"error":{"code":"internal_error","message":"Failed to retrieve task status","type":"api_error"}})")) == "");
  const char* create_429 =
      R"({"error":{"code":"rate_limit_exceeded","message":"Too many requests, please try again later","type":"rate_limit_error"}})";
  CHECK(check.Check(*surface, "getTaskDetail", answer(429, create_429)) != "");
  CHECK(check.Check(*surface, "getTaskDetail",
                    answer(500, R"({"error":{"code":"internal_error","message":"Internal server error","type":"api_error"}})")) != "");
  CHECK(check.Check(*surface, "createVideoGeneration", answer(429, create_429)) == "");
  // And the surface renders each route's words.
  Status limited(Code::kResourceExhausted, "", Violation{"", "scenario", ""});
  CHECK(surface->RenderError(limited, "getTaskDetail").body ==
        R"({"error":{"code":"rate_limit_exceeded","message":"Rate limit exceeded","type":"evo_api_error"}})");
  CHECK(surface->RenderError(limited, "createVideoGeneration").body == create_429);
}

}  // namespace imagine::testing
