// Unit tests for spec::YamlToJson / ParseYamlDocument / ParseOrderedYamlDocument: YAML 1.2
// core-schema typing of plain scalars, quoted scalars as strings, keys (and their order),
// anchors, tags and error positions.
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "spec/yaml_json.h"

namespace imagine::spec {
namespace {

using json = nlohmann::json;

json MustParse(const std::string& text) {
  auto parsed = ParseYamlDocument(text, "test.yaml");
  INFO("yaml: " << text);
  REQUIRE_MESSAGE(parsed.ok(), parsed.status().message());
  return *parsed;
}

// Parses "v: <scalar>" and returns the value of v.
json Scalar(const std::string& scalar) { return MustParse("v: " + scalar)["v"]; }

TEST_CASE("plain scalars follow the YAML 1.2 core schema") {
  struct Row {
    const char* yaml;
    json expected;
  };
  SUBCASE("null") {
    const std::vector<Row> rows = {{"null", nullptr}, {"Null", nullptr}, {"NULL", nullptr},
                                   {"~", nullptr},    {"", nullptr},     {"nULL", "nULL"}};
    for (const Row& row : rows) {
      INFO("scalar: " << std::string(row.yaml));
      CHECK(Scalar(row.yaml) == row.expected);
      CHECK(Scalar(row.yaml).type() == row.expected.type());
    }
  }
  SUBCASE("bool") {
    const std::vector<Row> rows = {{"true", true},   {"True", true},   {"TRUE", true},
                                   {"false", false}, {"False", false}, {"FALSE", false},
                                   {"yes", "yes"},   {"on", "on"},     {"tRUE", "tRUE"}};
    for (const Row& row : rows) {
      INFO("scalar: " << std::string(row.yaml));
      CHECK(Scalar(row.yaml) == row.expected);
      CHECK(Scalar(row.yaml).type() == row.expected.type());
    }
  }
  SUBCASE("int") {
    const std::vector<Row> rows = {
        {"0", 0},
        {"42", 42},
        {"-17", -17},
        {"+8", 8},
        {"0o17", 15},
        {"0x1F", 31},
        {"0xff", 255},
        {"007", 7},
        {"18446744073709551615", 18446744073709551615ULL},
        {"-9223372036854775808", INT64_MIN},
        {"0x", "0x"},
        {"0o8", "0o8"},
        {"-0x1", "-0x1"},
        {"1_000", "1_000"},
    };
    for (const Row& row : rows) {
      INFO("scalar: " << std::string(row.yaml));
      const json got = Scalar(row.yaml);
      CHECK(got == row.expected);
      CHECK(got.is_number_integer() == row.expected.is_number_integer());
      CHECK(got.is_string() == row.expected.is_string());
    }
    CHECK(Scalar("99999999999999999999").is_number_float());
  }
  SUBCASE("float") {
    const std::vector<Row> rows = {
        {"1.5", 1.5}, {"-0.25", -0.25}, {".5", 0.5},   {"1.", 1.0},
        {"1e3", 1000.0}, {"+2.5E-1", 0.25}, {"1e", "1e"}, {"1.2.3", "1.2.3"},
        {".", "."},  {"e5", "e5"},
    };
    for (const Row& row : rows) {
      INFO("scalar: " << std::string(row.yaml));
      const json got = Scalar(row.yaml);
      CHECK(got == row.expected);
      CHECK(got.is_number_float() == row.expected.is_number_float());
    }
    CHECK(Scalar(".inf").get<double>() == INFINITY);
    CHECK(Scalar("-.Inf").get<double>() == -INFINITY);
    CHECK(Scalar("+.INF").get<double>() == INFINITY);
    CHECK(std::isnan(Scalar(".nan").get<double>()));
    CHECK(std::isnan(Scalar(".NaN").get<double>()));
    CHECK(Scalar(".Nan") == ".Nan");
  }
  SUBCASE("strings") {
    CHECK(Scalar("hello world") == "hello world");
    CHECK(Scalar("16:9") == "16:9");
    CHECK(Scalar("2024-01-01") == "2024-01-01");
  }
}

TEST_CASE("quoted and block scalars are strings") {
  CHECK(Scalar("'null'") == "null");
  CHECK(Scalar("\"true\"") == "true");
  CHECK(Scalar("\"42\"") == "42");
  CHECK(Scalar("'1.5'") == "1.5");
  CHECK(Scalar("''") == "");
  CHECK(MustParse("v: |\n  12\n")["v"] == "12\n");
  CHECK(MustParse("v: >-\n  true\n")["v"] == "true");
}

TEST_CASE("explicit core tags") {
  CHECK(Scalar("!!str 12") == "12");
  CHECK(Scalar("!!str") == "");
  CHECK(Scalar("!!int 12") == 12);
  CHECK(Scalar("!!float 1").is_number_float());
  CHECK(Scalar("!!bool true") == true);
  CHECK(Scalar("!!null null") == nullptr);
  CHECK(MustParse("v: !!seq [1]")["v"] == json::array({1}));

  auto mismatch = ParseYamlDocument("v: !!int abc\n", "t.yaml");
  REQUIRE_FALSE(mismatch.ok());
  CHECK(mismatch.status().message() ==
        "t.yaml:1:4: 'abc' does not match tag 'tag:yaml.org,2002:int'");
  auto custom = ParseYamlDocument("v: !custom x\n", "t.yaml");
  REQUIRE_FALSE(custom.ok());
  CHECK(custom.status().message() == "t.yaml:1:4: unsupported tag '!custom'");
}

TEST_CASE("collections, keys and anchors") {
  SUBCASE("nested structures") {
    const json got = MustParse(
        "models:\n"
        "  - name: grok-imagine\n"
        "    ratios: [\"16:9\", 1:1]\n"
        "    max: 5000\n"
        "  - {name: other, enabled: false}\n");
    CHECK(got == json::parse(R"({"models": [
      {"name": "grok-imagine", "ratios": ["16:9", "1:1"], "max": 5000},
      {"name": "other", "enabled": false}]})"));
  }
  SUBCASE("keys are always strings") {
    const json got = MustParse("1: a\ntrue: b\n1.5: c\nnull: d\n'x': e\n");
    CHECK(got == json::parse(R"({"1": "a", "true": "b", "1.5": "c", "null": "d", "x": "e"})"));
  }
  SUBCASE("anchors and aliases expand") {
    const json got = MustParse("base: &b {w: 1, h: 2}\ncopy: *b\nlist: [*b, *b]\n");
    CHECK(got["copy"] == json::parse(R"({"w": 1, "h": 2})"));
    CHECK(got["list"][1] == got["base"]);
  }
  SUBCASE("empty documents and values") {
    CHECK(MustParse("") == nullptr);
    CHECK(MustParse("a:\nb: ~\n") == json::parse(R"({"a": null, "b": null})"));
  }
  SUBCASE("duplicate and complex keys are errors") {
    auto dup = ParseYamlDocument("a: 1\nb: 2\na: 3\n", "dup.yaml");
    REQUIRE_FALSE(dup.ok());
    CHECK(dup.status().code() == Code::kInvalidArgument);
    CHECK(dup.status().message() == "dup.yaml:3:1: duplicate key 'a'");
    auto complex = ParseYamlDocument("? [1, 2]\n: x\n", "c.yaml");
    REQUIRE_FALSE(complex.ok());
    CHECK(complex.status().message() == "c.yaml:1:3: mapping keys must be scalars");
  }
}

TEST_CASE("parse errors carry source, 1-based line and column") {
  auto parsed = ParseYamlDocument("a: [1,\n b: }", "spec.yaml");
  REQUIRE_FALSE(parsed.ok());
  CHECK(parsed.status().code() == Code::kInvalidArgument);
  CHECK(parsed.status().message() == "spec.yaml:2:5: illegal flow end");

  auto bad_indent = ParseYamlDocument("a:\n  b: 1\n c: 2\n", "x.yaml");
  REQUIRE_FALSE(bad_indent.ok());
  CHECK(bad_indent.status().message().rfind("x.yaml:3:", 0) == 0);
}

TEST_CASE("alias cycles are rejected instead of recursing forever") {
  auto cyclic = ParseYamlDocument("a: &x [1, *x]\n", "cycle.yaml");
  REQUIRE_FALSE(cyclic.ok());
  CHECK(cyclic.status().message().find("nesting deeper than 512 levels") != std::string::npos);
}

TEST_CASE("ParseOrderedYamlDocument keeps the YAML's key order and types and refuses what ParseYamlDocument does") {
  const std::string text = "zeta: 1\nalpha: {y: '2', x: [3.5, true, ~]}\nmiddle: text\n";
  auto ordered = ParseOrderedYamlDocument(text, "o.yaml");
  REQUIRE_MESSAGE(ordered.ok(), ordered.status().message());
  CHECK(ordered->dump() == R"({"zeta":1,"alpha":{"y":"2","x":[3.5,true,null]},"middle":"text"})");
  CHECK(json(*ordered) == MustParse(text));  // the same values, sorted
  auto dup = ParseOrderedYamlDocument("a: 1\nb: 2\na: 3\n", "dup.yaml");
  REQUIRE_FALSE(dup.ok());
  CHECK(dup.status().message() == "dup.yaml:3:1: duplicate key 'a'");
  auto bad = ParseOrderedYamlDocument("a: [1,\n b: }", "spec.yaml");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().message() == "spec.yaml:2:5: illegal flow end");
}

TEST_CASE("YamlToJson converts an already-loaded node") {
  const YAML::Node node = YAML::Load("x: [1, '2', 3.0]");
  auto converted = YamlToJson(node);
  REQUIRE(converted.ok());
  CHECK(*converted == json::parse(R"({"x": [1, "2", 3.0]})"));
  CHECK((*converted)["x"][1].is_string());
  CHECK(YamlToJson(YAML::Node()).ok());  // a default Node is null, not an error
  CHECK(*YamlToJson(YAML::Node()) == nullptr);
}

}  // namespace
}  // namespace imagine::spec
