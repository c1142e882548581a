// Unit tests for spec::Validator with small hand-written schemas: one TEST_CASE per keyword
// family, one SUBCASE per variation, rows of (instance, expected error) tables. The official
// suite runs in json_schema_suite_test.cc.
#include <doctest/doctest.h>

#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "spec/json_schema.h"

namespace imagine::spec {
namespace {

using json = nlohmann::json;

// One instance and the single (first) error it must produce; keyword == nullptr means valid.
struct Row {
  const char* instance;
  const char* pointer = "";
  const char* keyword = nullptr;
  const char* message = "";
  const char* value = "";
};

std::shared_ptr<const Validator> MustCompile(const json& schema) {
  auto compiled = Validator::Compile(schema, schema);
  INFO("schema: " << schema.dump());
  REQUIRE_MESSAGE(compiled.ok(), compiled.status().message());
  return *compiled;
}

std::shared_ptr<const Validator> MustCompile(const char* schema_text) {
  return MustCompile(json::parse(schema_text));
}

std::string CompileError(const char* schema_text) {
  const json schema = json::parse(schema_text);
  auto compiled = Validator::Compile(schema, schema);
  if (compiled.ok()) return "compiled";
  CHECK(compiled.status().code() == Code::kInvalidArgument);
  return compiled.status().message();
}

void ExpectRows(const char* schema_text, const std::vector<Row>& rows) {
  auto validator = MustCompile(schema_text);
  for (const Row& row : rows) {
    INFO("schema: " << std::string(schema_text));
    INFO("instance: " << std::string(row.instance));
    const json instance = json::parse(row.instance);
    std::vector<ValidationError> errors;
    const bool valid = validator->Validate(instance, &errors);
    if (row.keyword == nullptr) {
      CHECK(valid);
      CHECK(errors.empty());
      continue;
    }
    CHECK_FALSE(valid);
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].pointer == std::string(row.pointer));
    CHECK(errors[0].keyword == std::string(row.keyword));
    CHECK(errors[0].message == std::string(row.message));
    CHECK(errors[0].value == std::string(row.value));
  }
}

TEST_CASE("type") {
  SUBCASE("single types") {
    ExpectRows(R"({"type": "integer"})",
               {
                   {"1"},
                   {"-7"},
                   {"1.0"},
                   {"1.5", "", "type", "must be of type integer", "1.5"},
                   {R"("1")", "", "type", "must be of type integer", R"("1")"},
                   {"null", "", "type", "must be of type integer", "null"},
               });
    ExpectRows(R"({"type": "number"})",
               {{"1"}, {"1.5"}, {"true", "", "type", "must be of type number", "true"}});
    ExpectRows(R"({"type": "string"})",
               {{R"("")"}, {"[]", "", "type", "must be of type string", "[]"}});
    ExpectRows(R"({"type": "boolean"})",
               {{"false"}, {"0", "", "type", "must be of type boolean", "0"}});
    ExpectRows(R"({"type": "object"})",
               {{"{}"}, {"[1]", "", "type", "must be of type object", "[1]"}});
    ExpectRows(R"({"type": "array"})",
               {{"[]"}, {R"({"a":1})", "", "type", "must be of type array", R"({"a":1})"}});
    ExpectRows(R"({"type": "null"})",
               {{"null"}, {"false", "", "type", "must be of type null", "false"}});
  }
  SUBCASE("array of types") {
    ExpectRows(R"({"type": ["string", "null"]})",
               {{R"("a")"}, {"null"}, {"1", "", "type", "must be of type string or null", "1"}});
    ExpectRows(R"({"type": ["integer", "string", "null"]})",
               {{"3"}, {"{}", "", "type", "must be of type integer, string or null", "{}"}});
  }
  SUBCASE("boolean schemas") {
    ExpectRows("true", {{"1"}, {"null"}});
    ExpectRows("false", {{"1", "", "false", "is not allowed", "1"}});
    ExpectRows(R"({"properties": {"x": false}})",
               {{"{}"}, {R"({"x": 0})", "/x", "false", "is not allowed", "0"}});
  }
  SUBCASE("unknown type name fails compile") {
    CHECK(CompileError(R"({"type": "text"})") ==
          "malformed keyword 'type' at #: unknown type 'text'");
    CHECK(CompileError(R"({"type": []})") ==
          "malformed keyword 'type' at #: must be a type name or a non-empty array of type names");
  }
}

TEST_CASE("enum and const") {
  SUBCASE("enum of strings") {
    ExpectRows(R"({"enum": ["fun", "normal", "spicy"]})",
               {{R"("fun")"},
                {R"("hot")", "", "enum", "must be one of: fun, normal, spicy", R"("hot")"},
                {"1", "", "enum", "must be one of: fun, normal, spicy", "1"}});
  }
  SUBCASE("enum of mixed values compares numbers by value") {
    ExpectRows(R"({"enum": [1, null, {"a": [true]}]})",
               {{"1"},
                {"1.0"},
                {"null"},
                {R"({"a": [true]})"},
                {"true", "", "enum", R"(must be one of: 1, null, {"a":[true]})", "true"},
                {R"({"a": [1]})", "", "enum", R"(must be one of: 1, null, {"a":[true]})",
                 R"({"a":[1]})"}});
  }
  SUBCASE("const") {
    ExpectRows(R"({"const": "v1"})",
               {{R"("v1")"}, {R"("v2")", "", "const", "must be equal to v1", R"("v2")"}});
    ExpectRows(R"({"const": 0})",
               {{"0"}, {"0.0"}, {"false", "", "const", "must be equal to 0", "false"}});
  }
}

TEST_CASE("objects: required, properties, additionalProperties") {
  const char* schema = R"({
    "type": "object",
    "required": ["model", "input"],
    "properties": {
      "model": {"type": "string"},
      "input": {
        "type": "object",
        "required": ["prompt"],
        "properties": {"prompt": {"type": "string", "maxLength": 5}},
        "additionalProperties": false
      }
    }
  })";
  SUBCASE("required names the missing property") {
    ExpectRows(schema, {
                           {R"({"model": "m", "input": {"prompt": "hi"}})"},
                           {R"({"input": {"prompt": "hi"}})", "/model", "required", "is required",
                            ""},
                           {R"({"model": "m", "input": {}})", "/input/prompt", "required",
                            "is required", ""},
                       });
  }
  SUBCASE("nested property errors carry the full pointer") {
    ExpectRows(schema, {
                           {R"({"model": 1, "input": {"prompt": "hi"}})", "/model", "type",
                            "must be of type string", "1"},
                           {R"({"model": "m", "input": {"prompt": "toolong"}})", "/input/prompt",
                            "maxLength", "must be at most 5 characters long", R"("toolong")"},
                       });
  }
  SUBCASE("additionalProperties false names the extra property") {
    ExpectRows(schema, {{R"({"model": "m", "input": {"prompt": "hi", "seed": 7}})",
                         "/input/seed", "additionalProperties", "is not allowed", "7"}});
  }
  SUBCASE("additionalProperties schema applies to the others only") {
    ExpectRows(R"({"properties": {"a": {"type": "string"}},
                   "additionalProperties": {"type": "integer"}})",
               {{R"({"a": "x", "b": 1})"},
                {R"({"a": "x", "b": "y"})", "/b", "type", "must be of type integer", R"("y")"}});
  }
  SUBCASE("pointer tokens are escaped") {
    ExpectRows(R"({"properties": {"a/b": {"type": "string"}, "c~d": {"type": "string"}}})",
               {{R"({"a/b": 1})", "/a~1b", "type", "must be of type string", "1"},
                {R"({"c~d": 1})", "/c~0d", "type", "must be of type string", "1"}});
  }
  SUBCASE("non-objects skip object keywords") {
    ExpectRows(R"({"required": ["a"], "additionalProperties": false})", {{"[]"}, {R"("a")"}});
  }
}

TEST_CASE("arrays: items, additionalItems, minItems, maxItems") {
  SUBCASE("items schema") {
    ExpectRows(R"({"type": "array", "items": {"type": "string", "format": "uri"},
                   "minItems": 1, "maxItems": 2})",
               {{R"(["https://a.example/x.png"])"},
                {"[]", "", "minItems", "must have at least 1 item", "[]"},
                {R"(["a:1", "b:2", "c:3"])", "", "maxItems", "must have at most 2 items",
                 R"(["a:1","b:2","c:3"])"},
                {R"(["https://ok.example", "not a uri"])", "/1", "format", "must be a valid URI",
                 R"("not a uri")"}});
  }
  SUBCASE("tuple items with additionalItems false") {
    ExpectRows(R"({"items": [{"type": "integer"}, {"type": "string"}], "additionalItems": false})",
               {{"[1]"},
                {R"([1, "a"])"},
                {R"(["a"])", "/0", "type", "must be of type integer", R"("a")"},
                {R"([1, "a", null])", "/2", "additionalItems", "is not allowed", "null"}});
  }
  SUBCASE("tuple items with additionalItems schema") {
    ExpectRows(R"({"items": [{"type": "integer"}], "additionalItems": {"type": "boolean"}})",
               {{"[1, true, false]"},
                {"[1, true, 2]", "/2", "type", "must be of type boolean", "2"}});
  }
}

TEST_CASE("strings: minLength, maxLength, pattern, format") {
  SUBCASE("lengths count code points") {
    ExpectRows(R"({"minLength": 2, "maxLength": 3})",
               {{R"("ab")"},
                {R"("héé")"},                  // 5 bytes, 3 code points
                {"\"\xF0\x9F\x98\x80\xF0\x9F\x98\x80\""},  // two emoji: 8 bytes, 2 code points
                {R"("a")", "", "minLength", "must be at least 2 characters long", R"("a")"},
                {R"("abcd")", "", "maxLength", "must be at most 3 characters long",
                 R"("abcd")"},
                {"\"\xF0\x9F\x98\x80\"", "", "minLength", "must be at least 2 characters long",
                 "\"\xF0\x9F\x98\x80\""}});
  }
  SUBCASE("pattern is an unanchored ECMAScript search") {
    ExpectRows(R"({"pattern": "[0-9]{2}"})",
               {{R"("a12b")"}, {R"("a1b")", "", "pattern", "must match pattern [0-9]{2}",
                                R"("a1b")"}});
    ExpectRows(R"({"pattern": "^(16:9|9:16|1:1)$"})",
               {{R"("16:9")"},
                {R"("16:90")", "", "pattern", "must match pattern ^(16:9|9:16|1:1)$",
                 R"("16:90")"}});
  }
  SUBCASE("format uri") {
    ExpectRows(R"({"format": "uri"})",
               {{R"("https://cdn.example.com/a.png?x=1#f")"},
                {R"("urn:isbn:0451450523")"},
                {R"("http://[::1]:8080/")"},
                {R"("/relative/path")", "", "format", "must be a valid URI",
                 R"("/relative/path")"},
                {R"("http://a b")", "", "format", "must be a valid URI", R"("http://a b")"},
                {R"("http://a/%zz")", "", "format", "must be a valid URI", R"("http://a/%zz")"},
                {"7"}});  // format applies to strings only
  }
  SUBCASE("other formats are annotations") {
    ExpectRows(R"({"format": "date-time"})", {{R"("yesterday")"}});
  }
  SUBCASE("long strings do not overflow the regex matcher's stack") {
    // libstdc++'s backtracking matcher crashed near 12k characters on an 8 MiB stack.
    auto validator = MustCompile(R"({"pattern": "^(a|b)*$"})");
    CHECK(validator->Validate(json(std::string(200000, 'a')), nullptr));
    CHECK_FALSE(validator->Validate(json(std::string(200000, 'a') + "c"), nullptr));
  }
  SUBCASE("back-references use the backtracking matcher with a capped input") {
    auto validator = MustCompile(R"({"pattern": "^(ab)\\1$"})");
    ExpectRows(R"({"pattern": "^(ab)\\1$"})",
               {{R"("abab")"},
                {R"("abba")", "", "pattern", R"(must match pattern ^(ab)\1$)", R"("abba")"}});
    std::vector<ValidationError> errors;
    CHECK_FALSE(validator->Validate(json(std::string(5000, 'a')), &errors));
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].message == R"(could not be matched against pattern ^(ab)\1$)");
  }
  SUBCASE("invalid regex fails compile") {
    CHECK(CompileError(R"({"properties": {"a": {"pattern": "(["}}})")
              .rfind("invalid regex in 'pattern' at #/properties/a: ", 0) == 0);
  }
}

TEST_CASE("numbers: minimum, maximum, exclusive bounds") {
  SUBCASE("inclusive") {
    ExpectRows(R"({"minimum": 1, "maximum": 10})",
               {{"1"},
                {"10.0"},
                {"0.5", "", "minimum", "must be greater than or equal to 1", "0.5"},
                {"11", "", "maximum", "must be less than or equal to 10", "11"},
                {R"("11")"}});
  }
  SUBCASE("draft4 / OpenAPI 3.0 boolean form") {
    ExpectRows(R"({"minimum": 0, "exclusiveMinimum": true, "maximum": 1.5,
                   "exclusiveMaximum": true})",
               {{"0.1"},
                {"0", "", "exclusiveMinimum", "must be greater than 0", "0"},
                {"1.5", "", "exclusiveMaximum", "must be less than 1.5", "1.5"}});
    ExpectRows(R"({"maximum": 3, "exclusiveMaximum": false})", {{"3"}});
    CHECK(CompileError(R"({"exclusiveMinimum": true})") ==
          "malformed keyword 'exclusiveMinimum' at #: true requires minimum");
  }
  SUBCASE("draft6+ / OpenAPI 3.1 numeric form") {
    ExpectRows(R"({"exclusiveMinimum": 0, "exclusiveMaximum": 100})",
               {{"1"},
                {"0", "", "exclusiveMinimum", "must be greater than 0", "0"},
                {"100", "", "exclusiveMaximum", "must be less than 100", "100"}});
  }
  SUBCASE("large integers compare exactly") {
    ExpectRows(R"({"maximum": 18446744073709551614, "minimum": -9223372036854775807})",
               {{"18446744073709551614"},
                {"18446744073709551615", "", "maximum",
                 "must be less than or equal to 18446744073709551614", "18446744073709551615"},
                {"-9223372036854775808", "", "minimum",
                 "must be greater than or equal to -9223372036854775807",
                 "-9223372036854775808"}});
  }
}

TEST_CASE("combinators: allOf, anyOf, oneOf, not") {
  SUBCASE("allOf reports the branch error itself") {
    ExpectRows(R"({"allOf": [{"type": "object"}, {"required": ["a"]}]})",
               {{R"({"a": 1})"}, {"{}", "/a", "required", "is required", ""}});
  }
  SUBCASE("anyOf") {
    ExpectRows(R"({"anyOf": [{"type": "string"}, {"minimum": 2}]})",
               {{R"("x")"},
                {"3"},
                {"1", "", "anyOf", "must match at least one schema in anyOf", "1"}});
  }
  SUBCASE("oneOf: none and both fail") {
    ExpectRows(R"({"oneOf": [{"type": "integer"}, {"minimum": 2}]})",
               {{"1"},
                {"2.5"},
                {"3", "", "oneOf", "must match exactly one schema in oneOf", "3"},
                {"1.5", "", "oneOf", "must match exactly one schema in oneOf", "1.5"}});
  }
  SUBCASE("not") {
    ExpectRows(R"({"not": {"type": "null"}})",
               {{"0"}, {"null", "", "not", "must not match the schema in not", "null"}});
  }
  SUBCASE("empty lists are malformed") {
    CHECK(CompileError(R"({"anyOf": []})") ==
          "malformed keyword 'anyOf' at #: must be a non-empty array");
  }
}

TEST_CASE("$ref") {
  SUBCASE("local refs with escaped tokens") {
    ExpectRows(R"({
      "definitions": {"a/b": {"type": "integer"}, "c~d": {"type": "string"},
                      "e%f": {"type": "boolean"}},
      "properties": {
        "x": {"$ref": "#/definitions/a~1b"},
        "y": {"$ref": "#/definitions/c~0d"},
        "z": {"$ref": "#/definitions/e%25f"}
      }})",
               {{R"({"x": 1, "y": "s", "z": true})"},
                {R"({"x": "1"})", "/x", "type", "must be of type integer", R"("1")"},
                {R"({"y": 1})", "/y", "type", "must be of type string", "1"},
                {R"({"z": 1})", "/z", "type", "must be of type boolean", "1"}});
  }
  SUBCASE("siblings of $ref are ignored") {
    ExpectRows(R"({"definitions": {"s": {"type": "string"}},
                   "properties": {"x": {"$ref": "#/definitions/s", "maxLength": 1}}})",
               {{R"({"x": "long"})"}});
  }
  SUBCASE("recursive tree") {
    ExpectRows(R"({
      "definitions": {"node": {
        "type": "object", "required": ["value"],
        "properties": {"value": {"type": "number"},
                       "children": {"type": "array", "items": {"$ref": "#/definitions/node"}}},
        "additionalProperties": false}},
      "$ref": "#/definitions/node"})",
               {{R"({"value": 1, "children": [{"value": 2, "children": [{"value": 3}]}]})"},
                {R"({"value": 1, "children": [{"value": 2, "children": [{"value": "x"}]}]})",
                 "/children/0/children/0/value", "type", "must be of type number", R"("x")"},
                {R"({"value": 1, "children": [{"value": 2, "extra": 1}]})",
                 "/children/0/extra", "additionalProperties", "is not allowed", "1"}});
  }
  SUBCASE("root recursion") {
    ExpectRows(R"({"properties": {"next": {"$ref": "#"}}, "additionalProperties": false})",
               {{R"({"next": {"next": {}}})"},
                {R"({"next": {"next": {"x": 1}}})", "/next/next/x", "additionalProperties",
                 "is not allowed", "1"}});
  }
  SUBCASE("schema inside an OpenAPI document resolves refs in the root") {
    const json doc = json::parse(R"({
      "components": {"schemas": {
        "Ratio": {"type": "string", "enum": ["16:9", "1:1"]},
        "Body": {"type": "object", "properties": {"ratio": {"$ref": "#/components/schemas/Ratio"}}},
        "Bad": {"type": "object", "properties": {"tags": {"uniqueItems": true}}}
      }}})");
    auto compiled = Validator::Compile(doc["components"]["schemas"]["Body"], doc);
    REQUIRE(compiled.ok());
    std::vector<ValidationError> errors;
    CHECK((*compiled)->Validate(json::parse(R"({"ratio": "1:1"})"), &errors));
    CHECK_FALSE((*compiled)->Validate(json::parse(R"({"ratio": "4:3"})"), &errors));
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].pointer == "/ratio");
    CHECK(errors[0].message == "must be one of: 16:9, 1:1");
    // Compile errors name the location inside the document.
    auto bad = Validator::Compile(doc["components"]["schemas"]["Bad"], doc);
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.status().message() ==
          "unsupported keyword 'uniqueItems' at #/components/schemas/Bad/properties/tags");
  }
  SUBCASE("bad refs fail compile") {
    CHECK(CompileError(R"({"$ref": "#/definitions/missing"})") ==
          "unresolved $ref '#/definitions/missing' at #");
    CHECK(CompileError(R"({"properties": {"a": {"$ref": "other.json#/x"}}})") ==
          "unsupported $ref 'other.json#/x' at #/properties/a: only local refs (\"#/...\") are "
          "supported");
    CHECK(CompileError(R"({"definitions": {"a": {"$ref": "#/definitions/b"},
                                           "b": {"$ref": "#/definitions/a"}},
                           "$ref": "#/definitions/a"})")
              .rfind("circular $ref '#/definitions/", 0) == 0);
    CHECK(CompileError(R"({"allOf": [{"$ref": "#"}]})") ==
          "schema at # refers back to itself through allOf/anyOf/oneOf/not without descending "
          "into the instance");
    CHECK(CompileError(R"({"$ref": 5})") == "malformed keyword '$ref' at #: must be a string");
  }
}

TEST_CASE("nullable (OpenAPI 3.0)") {
  ExpectRows(R"({"type": "string", "enum": ["a"], "nullable": true})",
             {{"null"}, {R"("a")"}, {"1", "", "type", "must be of type string or null", "1"}});
  ExpectRows(R"({"type": "string", "nullable": false})",
             {{"null", "", "type", "must be of type string", "null"}});
}

TEST_CASE("defaults") {
  const char* schema = R"({
    "type": "object",
    "required": ["prompt"],
    "properties": {
      "prompt": {"type": "string"},
      "mode": {"type": "string", "enum": ["fun", "normal"], "default": "normal"},
      "options": {
        "type": "object",
        "default": {},
        "properties": {
          "steps": {"type": "integer", "default": 20},
          "seed": {"type": ["integer", "null"], "default": 7}
        }
      },
      "images": {"type": "array", "items": {"type": "object",
                  "properties": {"weight": {"default": 1.0}}}},
      "shared": {"$ref": "#/definitions/shared"},
      "pick": {"anyOf": [{"properties": {"never": {"default": 1}}}]},
      "only": {"oneOf": [{"properties": {"never": {"default": 1}}}]}
    },
    "allOf": [{"properties": {"callback": {"default": "none"}}}],
    "definitions": {"shared": {"properties": {"flag": {"default": false}}}}
  })";
  auto validator = MustCompile(schema);
  const ValidateOptions apply{/*apply_defaults=*/true, /*all_errors=*/false};

  SUBCASE("applied into nested objects, via $ref and allOf, not anyOf/oneOf") {
    json body = json::parse(R"({"prompt": "cat", "options": {"seed": null},
                                "images": [{}, {"weight": 2}], "shared": {},
                                "pick": {}, "only": {}})");
    std::vector<ValidationError> errors;
    REQUIRE(validator->Validate(body, &errors, apply));
    CHECK(body == json::parse(R"({
      "prompt": "cat", "mode": "normal", "callback": "none",
      "options": {"steps": 20, "seed": null},
      "images": [{"weight": 1.0}, {"weight": 2}],
      "shared": {"flag": false},
      "pick": {}, "only": {}})"));
  }
  SUBCASE("an inserted default receives its own nested defaults") {
    json body = json::parse(R"({"prompt": "cat"})");
    REQUIRE(validator->Validate(body, nullptr, apply));
    CHECK(body["options"] == json::parse(R"({"steps": 20, "seed": 7})"));
    CHECK_FALSE(body.contains("shared"));  // no default for "shared" itself
  }
  SUBCASE("not applied when invalid") {
    json body = json::parse(R"({"options": {}})");
    const json before = body;
    std::vector<ValidationError> errors;
    CHECK_FALSE(validator->Validate(body, &errors, apply));
    CHECK(body == before);
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].pointer == "/prompt");
  }
  SUBCASE("not applied without the option") {
    json body = json::parse(R"({"prompt": "cat"})");
    CHECK(validator->Validate(body, nullptr));
    CHECK(body == json::parse(R"({"prompt": "cat"})"));
  }
}

TEST_CASE("reject_unknown_properties refuses fields a declared object does not list") {
  auto v = MustCompile(R"({"type":"object","properties":{"a":{"type":"integer"},
                           "inner":{"type":"object","properties":{"b":{"type":"string"}}},
                           "free":{"type":"object"},
                           "open":{"type":"object","properties":{"c":{}},"additionalProperties":true}}})");
  ValidateOptions strict;
  strict.reject_unknown_properties = true;
  struct Case {
    const char* instance;
    const char* pointer;  // "" = valid
  };
  const Case cases[] = {
      {R"({"a":1,"inner":{"b":"x"}})", ""},
      {R"({"a":1,"zz":true})", "/zz"},
      {R"({"inner":{"b":"x","c":1}})", "/inner/c"},
      {R"({"free":{"anything":1}})", ""},             // no `properties`: nothing to compare against
      {R"({"open":{"c":1,"d":2}})", ""},              // additionalProperties stated: it wins
  };
  for (const Case& c : cases) {
    INFO(std::string(c.instance));
    json instance = json::parse(c.instance);
    std::vector<ValidationError> errors;
    bool ok = v->Validate(instance, &errors, strict);
    CHECK(ok == (c.pointer[0] == '\0'));
    if (!ok) {
      REQUIRE(errors.size() == 1);
      CHECK(errors[0].pointer == std::string(c.pointer));
      CHECK(errors[0].keyword == "additionalProperties");
      CHECK(errors[0].message == "is not a known field");
    }
    json lenient = json::parse(c.instance);
    CHECK(v->Validate(lenient, nullptr, ValidateOptions{}));
  }
}

TEST_CASE("all_errors collects every error in a fixed order") {
  auto validator = MustCompile(R"({
    "type": "object",
    "required": ["a", "b"],
    "properties": {"c": {"type": "string"}, "d": {"minimum": 5}},
    "additionalProperties": false})");
  json body = json::parse(R"({"c": 1, "d": 1, "e": true})");
  std::vector<ValidationError> errors;
  CHECK_FALSE(validator->Validate(body, &errors, {/*apply_defaults=*/false, /*all_errors=*/true}));
  std::vector<std::string> got;
  for (const auto& e : errors) got.push_back(e.pointer + " " + e.keyword);
  CHECK(got == std::vector<std::string>{"/a required", "/b required", "/c type", "/d minimum",
                                        "/e additionalProperties"});
  CHECK_FALSE(validator->Validate(body, &errors));
  CHECK(errors.size() == 1);
  CHECK(errors[0].pointer == "/a");
}

TEST_CASE("error value rendering is truncated to 100 code points") {
  auto validator = MustCompile(R"({"maxLength": 3})");
  const std::string long_text(300, 'x');
  std::vector<ValidationError> errors;
  CHECK_FALSE(validator->Validate(json(long_text), &errors));
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].value == "\"" + std::string(99, 'x') + "\xE2\x80\xA6");
  std::string accents;
  for (int i = 0; i < 150; ++i) accents += "\xC3\xA9";  // é
  CHECK_FALSE(validator->Validate(json(accents), &errors));
  CHECK(errors[0].value == "\"" + accents.substr(0, 99 * 2) + "\xE2\x80\xA6");
}

TEST_CASE("compile rejects unsupported keywords and accepts annotations") {
  SUBCASE("unsupported keywords") {
    const std::vector<std::pair<const char*, const char*>> rows = {
        {R"({"patternProperties": {}})", "unsupported keyword 'patternProperties' at #"},
        {R"({"properties": {"tags": {"uniqueItems": true}}})",
         "unsupported keyword 'uniqueItems' at #/properties/tags"},
        {R"({"items": [{}, {"multipleOf": 2}]})", "unsupported keyword 'multipleOf' at #/items/1"},
        {R"({"definitions": {"unused": {"if": true}}})",
         "unsupported keyword 'if' at #/definitions/unused"},
        {R"({"allOf": [{"minProperties": 1}]})",
         "unsupported keyword 'minProperties' at #/allOf/0"},
        {R"({"$ref": "#/definitions/a", "contains": {}, "definitions": {"a": {}}})",
         "unsupported keyword 'contains' at #"},
        {R"({"properties": {"a~b/c": {"propertyNames": {}}}})",
         "unsupported keyword 'propertyNames' at #/properties/a~0b~1c"},
    };
    for (const auto& row : rows) {  // no structured binding: clang 14 cannot capture one in INFO
      const char* schema = row.first;
      const char* message = row.second;
      INFO("schema: " << std::string(schema));
      CHECK(CompileError(schema) == message);
    }
  }
  SUBCASE("malformed values") {
    const std::vector<std::pair<const char*, const char*>> rows = {
        {R"({"maxLength": -1})",
         "malformed keyword 'maxLength' at #: must be a non-negative integer"},
        {R"({"minItems": 1.5})",
         "malformed keyword 'minItems' at #: must be a non-negative integer"},
        {R"({"required": "a"})", "malformed keyword 'required' at #: must be an array of strings"},
        {R"({"minimum": "1"})", "malformed keyword 'minimum' at #: must be a number"},
        {R"({"properties": {"a": 1}})", "schema at #/properties/a must be an object or a boolean"},
        {R"({"nullable": "yes"})", "malformed keyword 'nullable' at #: must be a boolean"},
    };
    for (const auto& row : rows) {  // no structured binding: clang 14 cannot capture one in INFO
      const char* schema = row.first;
      const char* message = row.second;
      INFO("schema: " << std::string(schema));
      CHECK(CompileError(schema) == message);
    }
  }
  SUBCASE("annotations") {
    MustCompile(R"({"$schema": "x", "$id": "x", "id": "x", "title": "t", "description": "d",
                    "example": 1, "examples": [1], "default": 1, "deprecated": true,
                    "readOnly": true, "writeOnly": false, "discriminator": {"propertyName": "k"},
                    "xml": {}, "externalDocs": {}, "$comment": "c", "format": "int64",
                    "x-provider-note": {"anything": true}})");
  }
}

TEST_CASE("deeply nested instances stop at kMaxInstanceDepth") {
  auto validator = MustCompile(R"({"items": {"$ref": "#"}})");
  json deep = json::array();
  for (int i = 0; i < Validator::kMaxInstanceDepth + 10; ++i) deep = json::array({deep});
  std::vector<ValidationError> errors;
  CHECK_FALSE(validator->Validate(deep, &errors));
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].keyword == "maxDepth");
}

TEST_CASE("concurrent validation shares one compiled validator") {
  auto validator = MustCompile(R"({"type": "object", "required": ["n"],
                                   "properties": {"n": {"type": "integer", "maximum": 10},
                                                  "s": {"pattern": "^[a-z]+$"}}})");
  std::vector<std::thread> threads;
  std::vector<int> failures(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 2000; ++i) {
        const json good = {{"n", i % 10}, {"s", "abc"}};
        const json bad = {{"n", 11}, {"s", "abc"}};
        std::vector<ValidationError> errors;
        if (!validator->Validate(good, &errors)) ++failures[t];
        if (validator->Validate(bad, &errors) || errors.size() != 1 || errors[0].pointer != "/n") {
          ++failures[t];
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(failures == std::vector<int>(4, 0));
}

}  // namespace
}  // namespace imagine::spec
