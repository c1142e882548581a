// Unit tests for spec/schema_defaults.h: ApplySchemaDefaults inserts exactly what a compiled
// Validator's apply_defaults does, table-driven over the keywords it walks and the ones it must not.
#include "spec/schema_defaults.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "spec/json_schema.h"

namespace imagine::spec {
namespace {

using json = nlohmann::json;

struct Row {
  const char* schema;
  const char* instance;
};

TEST_CASE("ApplySchemaDefaults fills what the compiled validator's apply_defaults fills") {
  const std::vector<Row> rows = {
      {R"({"properties": {"a": {"default": 1}, "b": {"type": "string"}}})", R"({})"},
      {R"({"properties": {"a": {"default": 1}}})", R"({"a": null})"},  // present, even null
      {R"({"properties": {"o": {"default": {}, "properties": {"x": {"default": [1]}, "y": {"default": {"z": 2}}}}}})",
       R"({})"},
      {R"({"properties": {"o": {"default": {"x": 5}, "properties": {"x": {"default": 1}, "w": {"default": 0}}}}})",
       R"({})"},
      {R"({"definitions": {"D": {"default": "d", "type": "string"}},
           "properties": {"r": {"$ref": "#/definitions/D"}, "s": {"$ref": "#/definitions/D", "default": "ignored"}}})",
       R"({})"},
      {R"({"definitions": {"P": {"properties": {"k": {"default": true}}}},
           "additionalProperties": {"$ref": "#/definitions/P"}, "properties": {"fixed": {"type": "object"}}})",
       R"({"one": {}, "two": {"k": false}, "fixed": {}})"},
      {R"({"items": {"properties": {"n": {"default": 3}}}})", R"([{}, {"n": 1}, 7])"},
      {R"({"items": [{"properties": {"a": {"default": 1}}}, {"properties": {"b": {"default": 2}}}]})",
       R"([{}, {}, {}])"},
      {R"({"allOf": [{"properties": {"a": {"default": 1}}}, {"properties": {"a": {"default": 2}, "b": {"default": 3}}}]})",
       R"({})"},
      {R"({"anyOf": [{"properties": {"a": {"default": 1}}}], "oneOf": [{"properties": {"b": {"default": 1}}}],
           "not": {"type": "string", "properties": {"c": {"default": 1}}}})",
       R"({})"},
      {R"({"properties": {"t": true, "f": {"default": 1, "type": "integer"}}})", R"({"t": 1})"},
      {R"({"properties": {"a": {"default": 1}}})", R"("not an object")"},
  };
  for (const Row& row : rows) {
    const std::string where = std::string(row.schema) + " over " + row.instance;
    INFO(where);
    const json schema = json::parse(row.schema);
    auto compiled = Validator::Compile(schema, schema);
    REQUIRE_MESSAGE(compiled.ok(), compiled.status().message());
    json want = json::parse(row.instance);
    ValidateOptions options;
    options.apply_defaults = true;
    std::vector<ValidationError> errors;
    REQUIRE((*compiled)->Validate(want, &errors, options));
    json got = json::parse(row.instance);
    REQUIRE(ApplySchemaDefaults(schema, schema, got));
    CHECK(got.dump() == want.dump());
  }
}

TEST_CASE("ApplySchemaDefaults says so when a $ref is not a plain local pointer") {
  json instance = json::object();
  const json escaped = json::parse(R"({"definitions": {"a b": {"default": 1}}, "properties": {"x": {"$ref": "#/definitions/a%20b"}}})");
  CHECK_FALSE(ApplySchemaDefaults(escaped, escaped, instance));
  const json dangling = json::parse(R"({"properties": {"x": {"$ref": "#/definitions/none"}}})");
  CHECK_FALSE(ApplySchemaDefaults(dangling, dangling, instance));
}

}  // namespace
}  // namespace imagine::spec
