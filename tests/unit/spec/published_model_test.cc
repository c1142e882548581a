// GraftPublishedModel: a published per-model document grafted into a provider document.
#include <doctest/doctest.h>

#include "spec/openapi.h"
#include "spec/published_model.h"

namespace imagine {
namespace {

nlohmann::json Provider() {
  return nlohmann::json::parse(R"({"openapi":"3.1.0","paths":{"/v1/x":{"post":{"operationId":"create",
    "requestBody":{"content":{"application/json":{"schema":{"type":"object"}}}},
    "x-emulator-models":{"m":{"type":"object"}}}}}})");
}

const char* kPublished = R"(openapi: 3.0.0
paths:
  /v1/x:
    post:
      operationId: published
      requestBody:
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Body'}
components:
  schemas:
    Body:
      type: object
      properties:
        n: {type: integer, maximum: 3, default: 1}
)";

}  // namespace

TEST_CASE("GraftPublishedModel points the model at the published request schema, refs rebased") {
  nlohmann::json doc = Provider();
  CHECK(DeclaresModel(doc, "m"));
  CHECK_FALSE(DeclaresModel(doc, "other"));
  REQUIRE(GraftPublishedModel(doc, "m", kPublished, "p.yaml").ok());
  CHECK(doc["paths"]["/v1/x"]["post"]["x-emulator-models"]["m"]["$ref"] ==
        "#/x-emulator-published/0/paths/~1v1~1x/post/requestBody/content/application~1json/schema");
  CHECK(doc["x-emulator-published"][0]["paths"]["/v1/x"]["post"]["requestBody"]["content"]["application/json"]["schema"]
           ["$ref"] == "#/x-emulator-published/0/components/schemas/Body");
  auto spec = OpenApiDocument::Parse(doc.dump(), "provider.yaml");
  REQUIRE_MESSAGE(spec.ok(), spec.status().ToString());
  const auto& model = spec.value()->Find("create")->models.at("m");
  nlohmann::json body = nlohmann::json::object();
  std::vector<spec::ValidationError> errors;
  CHECK(model->Validate(body, &errors, {true}));
  CHECK(body["n"] == 1);  // the published default
  nlohmann::json four = {{"n", 4}};
  CHECK_FALSE(model->Validate(four, &errors, {true}));
}

TEST_CASE("GraftPublishedModel refuses what it cannot take, naming the file") {
  struct Row {
    std::string yaml;
    std::string message;
  };
  const Row rows[] = {
      {"swagger: '2.0'\npaths: {}\n", "p.yaml: openapi: must be an OpenAPI 3.0 or 3.1 document"},
      {"openapi: 3.1.0\npaths: {}\n", "p.yaml: paths: needs exactly one operation with an application/json request body (found 0)"},
      {"openapi: 3.1.0\npaths:\n  /a:\n    post:\n      operationId: a\n      requestBody:\n        content:\n          application/json:\n"
       "            schema: {$ref: 'other.yaml#/Body'}\n",
       "p.yaml: $ref into another document (other.yaml) cannot be resolved here"},
      {"openapi: 3.1.0\npaths:\n  /a:\n    post:\n      operationId: a\n      requestBody:\n        content:\n          application/json:\n"
       "            schema: {type: object, maxProperties: 2}\n",
       "p.yaml: paths//a/post/requestBody: ..."},
  };
  for (const Row& row : rows) {
    nlohmann::json doc = Provider();
    Status s = GraftPublishedModel(doc, "m", row.yaml, "p.yaml");
    INFO(s.ToString());
    CHECK_FALSE(s.ok());
    if (row.message.size() > 3 && row.message.compare(row.message.size() - 3, 3, "...") == 0) {
      CHECK(s.message().rfind(row.message.substr(0, row.message.size() - 3), 0) == 0);
    } else {
      CHECK(s.message() == row.message);
    }
    CHECK_FALSE(doc.contains("x-emulator-published"));  // nothing grafted
  }
}

}  // namespace imagine
