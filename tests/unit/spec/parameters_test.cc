#include "spec/parameters.h"

#include <doctest/doctest.h>

#include <map>

namespace imagine {
namespace {

constexpr const char* kSpec = R"(
openapi: 3.0.3
paths:
  /things:
    parameters:
      - {name: key, in: query, schema: {type: string}}
    get:
      operationId: listThings
      parameters:
        - {$ref: '#/components/parameters/Kind'}
        - {name: limit, in: query, schema: {type: integer, minimum: 1, maximum: 10, default: 5}}
        - {name: ready, in: query, schema: {type: boolean}}
        - {name: id, in: query, required: true, schema: {type: string}}
components:
  parameters:
    Kind: {name: kind, in: query, schema: {$ref: '#/components/schemas/Kind'}}
  schemas:
    Kind: {type: string, enum: [a, b]}
    Shared: {$ref: 'other.yaml#/definitions/Thing'}
)";

StatusOr<nlohmann::json> Read(const OpenApiOperation& op, std::map<std::string, std::string> query) {
  return ReadQueryParameters(op, [&query](std::string_view name) -> std::optional<std::string> {
    auto it = query.find(std::string(name));
    if (it == query.end()) return std::nullopt;
    return it->second;
  });
}

std::shared_ptr<const OpenApiDocument> Doc() {
  auto doc = OpenApiDocument::Parse(kSpec, "t.yaml", [](const std::string& name) -> StatusOr<nlohmann::json> {
    if (name != "other.yaml") return NotFound("no " + name);
    return nlohmann::json::parse(R"({"definitions":{"Thing":{"type":"object","properties":{"n":{"$ref":"#/definitions/N"}}},
                                     "N":{"type":"integer"}}})");
  });
  REQUIRE_MESSAGE(doc.ok(), doc.status().ToString());
  return *doc;
}

}  // namespace

TEST_CASE("OpenApiDocument compiles parameters, path-item ones included, through $refs") {
  auto doc = Doc();
  const OpenApiOperation* op = doc->Find("listThings");
  REQUIRE(op != nullptr);
  REQUIRE(op->parameters.size() == 5);
  CHECK(op->parameters[0].name == "key");
  CHECK(op->parameters[1].name == "kind");
  CHECK(op->parameters[1].type == "string");
  CHECK(op->parameters[2].type == "integer");
  CHECK(op->parameters[2].default_value == 5);
  CHECK(op->parameters[4].required);
}

TEST_CASE("ReadQueryParameters types, checks and defaults query parameters") {
  auto doc = Doc();
  const OpenApiOperation& op = *doc->Find("listThings");
  auto ok = Read(op, {{"id", "x"}, {"kind", "a"}, {"ready", "true"}});
  REQUIRE(ok.ok());
  CHECK(*ok == nlohmann::json{{"id", "x"}, {"kind", "a"}, {"ready", true}, {"limit", 5}});
  CHECK(Read(op, {{"id", "x"}, {"limit", "7"}})->at("limit") == 7);
  struct Row {
    std::map<std::string, std::string> query;
    std::string pointer, message;
  };
  const Row rows[] = {
      {{}, "/id", "is required"},
      {{{"id", "x"}, {"limit", "0"}}, "/limit", "must be greater than or equal to 1"},
      {{{"id", "x"}, {"limit", "ten"}}, "/limit", "must be of type integer"},
      {{{"id", "x"}, {"limit", "3 "}}, "/limit", "must be of type integer"},
      {{{"id", "x"}, {"kind", "c"}}, "/kind", "must be one of: a, b"},
      {{{"id", "x"}, {"ready", "yes"}}, "/ready", "must be of type boolean"},
  };
  for (const Row& row : rows) {
    auto s = Read(op, row.query);
    INFO(std::string(row.pointer + " " + row.message));
    REQUIRE_FALSE(s.ok());
    CHECK(s.status().violation().pointer == row.pointer);
    CHECK(s.status().message() == row.message);
  }
}

TEST_CASE("a $ref into another document is bundled, and its own refs follow it") {
  auto doc = Doc();
  auto shared = doc->ComponentSchema("Shared");
  REQUIRE(shared != nullptr);
  CHECK(shared->Validate(nlohmann::json{{"n", 3}}, nullptr));
  CHECK_FALSE(shared->Validate(nlohmann::json{{"n", "three"}}, nullptr));
  auto missing = OpenApiDocument::Parse("openapi: 3.0.3\npaths: {}\ncomponents: {schemas: {X: {$ref: 'gone.yaml#/a'}}}\n",
                                        "t.yaml", [](const std::string& name) -> StatusOr<nlohmann::json> {
                                          return NotFound("no " + name);
                                        });
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().message() == "t.yaml: $ref into gone.yaml: no gone.yaml");
}

}  // namespace imagine
