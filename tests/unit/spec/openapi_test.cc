// The one unit test that loads the real schemas/ documents (the rest use small schemas).
#include "spec/openapi.h"

#include <doctest/doctest.h>

#include "providers/registry.h"

namespace imagine {

TEST_CASE("the embedded Apikley spec compiles with its operations and per-model schemas") {
  auto doc = LoadProviderSpec("apikley");
  REQUIRE_MESSAGE(doc.ok(), doc.status().ToString());
  const OpenApiDocument& d = **doc;
  const OpenApiOperation* create = d.Find("createTask");
  REQUIRE(create != nullptr);
  CHECK(create->method == "POST");
  CHECK(create->path == "/api/v1/jobs/createTask");
  CHECK(create->models.size() == 4);
  CHECK(create->models.count("grok-imagine/image-to-video") == 1);
  REQUIRE(d.Find("getTaskDetail") != nullptr);
  CHECK(d.Find("getTaskDetail")->path == "/api/v1/jobs/recordInfo");
  REQUIRE(d.Find("getAccountCredits") != nullptr);
  CHECK(d.ComponentSchema("UnifiedCallback") != nullptr);
  CHECK(d.ComponentSchema("NoSuchSchema") == nullptr);
}

TEST_CASE("the embedded Evolink spec compiles with its alias table") {
  auto doc = LoadProviderSpec("evolink");
  REQUIRE_MESSAGE(doc.ok(), doc.status().ToString());
  const OpenApiOperation* create = (*doc)->Find("createVideoGeneration");
  REQUIRE(create != nullptr);
  CHECK(create->models.size() == 2);
  CHECK(create->model_aliases.at("grok-imagine-image-to-video") == "grok-imagine-image-to-video-beta");
  REQUIRE((*doc)->Find("getTaskDetail") != nullptr);
  CHECK((*doc)->Find("getTaskDetail")->path == "/v1/tasks/{task_id}");
}

TEST_CASE("OpenApiDocument refuses documents it cannot serve") {
  struct Row {
    const char* yaml;
    const char* fragment;  // expected in the message
  };
  const Row rows[] = {
      {"openapi: 3.0.3\n", "no 'paths' object"},
      {"paths:\n  /a:\n    get: {}\n", "operationId is required"},
      {"paths:\n  /a:\n    post:\n      operationId: a\n      requestBody: {content: {application/json: {schema: "
       "{type: object, uniqueItems: true}}}}\n",
       "uniqueItems"},
      {"paths:\n  /a:\n    post:\n      operationId: a\n      requestBody: {content: {application/json: {schema: "
       "{$ref: '#/components/schemas/Missing'}}}}\n",
       "Missing"},
      {"paths:\n  /a:\n    post:\n      operationId: a\n      x-emulator-model-aliases: {x: y}\n",
       "alias 'x' must name a model"},
      // Regression (fuzz_openapi crash in .ci/run: an uncaught json type_error ended the process).
      {"paths:\n  /a:\n    get:\n      operationId: a\n      parameters: [{name: p, in: query, required: 'yes'}]\n",
       "/parameters/0/required: must be true or false"},
  };
  for (const Row& row : rows) {
    auto doc = OpenApiDocument::Parse(row.yaml, "t.yaml");
    INFO(std::string(row.yaml));
    REQUIRE_FALSE(doc.ok());
    CHECK(doc.status().message().find(row.fragment) != std::string::npos);
    CHECK(doc.status().message().rfind("t.yaml", 0) == 0);
  }
}

}  // namespace imagine
