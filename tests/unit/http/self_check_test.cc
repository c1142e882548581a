#include "http/self_check.h"

#include <doctest/doctest.h>

#include "common/log.h"
#include "http/api_surface.h"

namespace imagine {
namespace {

constexpr const char* kSpec = R"(
openapi: 3.0.3
paths:
  /things:
    get:
      operationId: getThing
      responses:
        '200':
          content:
            application/json:
              schema:
                type: object
                required: [id]
                properties:
                  id: {type: string}
)";

class FakeSurface final : public ApiSurface {
 public:
  FakeSurface() : spec_(std::move(OpenApiDocument::Parse(kSpec, "fake.yaml")).value()) {}
  std::string_view name() const override { return "fake"; }
  const OpenApiDocument& spec() const override { return *spec_; }
  std::map<std::string, Handler> Handlers() override { return {}; }
  std::string_view path_prefix() const override { return "/things"; }
  ApiResponse RenderError(const Status&) const override { return {}; }

 private:
  std::shared_ptr<const OpenApiDocument> spec_;
};

ApiResponse Response(int status, std::string body) {
  ApiResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

}  // namespace

TEST_CASE("SelfCheck passes conforming responses and counts each violation") {
  SetLogLevel(LogLevel::kOff);
  FakeSurface dialect;
  SelfCheck check(true);
  CHECK(check.Check(dialect, "getThing", Response(200, R"({"id":"a"})")) == "");
  CHECK(check.Check(dialect, "getThing", Response(200, R"({"id":7})")) == "id: must be of type string (got 7)");
  CHECK(check.Check(dialect, "getThing", Response(200, R"({})")) == "id: is required");
  CHECK(check.Check(dialect, "getThing", Response(200, "not json")) == "the response body is not JSON");
  CHECK(check.Check(dialect, "getThing", Response(404, "{}")) == "the spec declares no JSON response for HTTP 404");
  CHECK(check.checked() == 5);
  CHECK(check.violations() == 4);
}

}  // namespace imagine
