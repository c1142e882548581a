// Unit tests for the embedded documents (common/resources.h FindPreparsed,
// spec/embedded_documents.h): each pre-parsed form is exactly what parsing the embedded YAML
// gives at run time, and every schema of each embedded OpenAPI document compiles (start-up
// compiles them only at their first use, SchemaCompilation::kAtFirstUse).
#include <doctest/doctest.h>

#include <string>

#include <nlohmann/json.hpp>

#include "admin/admin_spec.h"
#include "common/resources.h"
#include "spec/embedded_documents.h"
#include "spec/yaml_json.h"

namespace imagine {
namespace {

TEST_CASE("every embedded YAML document has a pre-parsed form equal to parsing its YAML") {
  int yaml_files = 0;
  for (const Resource& r : AllResources()) {
    const std::string name(r.name);
    if (name.size() < 5 || name.compare(name.size() - 5, 5, ".yaml") != 0) continue;
    ++yaml_files;
    INFO(name);
    auto cbor = FindPreparsed(name);
    REQUIRE(cbor.has_value());
    auto from_yaml = spec::ParseYamlDocument(r.data, name);
    REQUIRE_MESSAGE(from_yaml.ok(), from_yaml.status().message());
    auto from_cbor = ParseEmbeddedDocument(name);
    REQUIRE_MESSAGE(from_cbor.ok(), from_cbor.status().message());
    // dump() compares types too (1 and 1.0 differ), which operator== would not.
    CHECK(from_cbor->dump() == from_yaml->dump());
  }
  CHECK(yaml_files >= 8);
  CHECK(PreparsedResources().size() == static_cast<size_t>(yaml_files));
}

TEST_CASE("ParseEmbeddedDocument names a document that is not embedded") {
  auto missing = ParseEmbeddedDocument("schemas/none.yaml");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().code() == Code::kNotFound);
  CHECK(missing.status().message() == "schemas/none.yaml is not embedded in this build");
}

// Compiles every schema `doc` holds; returns the first failure's place and message, or "".
std::string FirstSchemaThatFails(const OpenApiDocument& doc) {
  auto check = [](const spec::LazyValidator& v, const std::string& where) -> std::string {
    Status compiled = v.Compile();
    return compiled.ok() ? "" : where + ": " + compiled.message();
  };
  std::string failed;
  if (auto c = doc.document().find("components"); c != doc.document().end() && c->contains("schemas")) {
    for (const auto& [name, schema] : (*c)["schemas"].items()) {
      if (failed.empty()) failed = check(doc.ComponentSchema(name), "components/schemas/" + name);
    }
  }
  for (const OpenApiOperation& op : doc.operations()) {
    const std::string where = op.method + " " + op.path;
    if (failed.empty()) failed = check(op.request_body, where + " requestBody");
    for (const auto& [model, v] : op.models) {
      if (failed.empty()) failed = check(v, where + " model " + model);
    }
    for (const auto& [status, v] : op.responses) {
      if (failed.empty()) failed = check(v, where + " response " + status);
    }
    for (const OpenApiParameter& p : op.parameters) {
      if (failed.empty()) failed = check(p.schema, where + " parameter " + p.name);
    }
  }
  return failed;
}

TEST_CASE("every schema of every embedded OpenAPI document compiles") {
  int documents = 0;
  for (const Resource& r : AllResources()) {
    const std::string name(r.name);
    if (name.find(".openapi.yaml") == std::string::npos || name == "schemas/admin.openapi.yaml") continue;
    INFO(name);
    auto spec = LoadEmbeddedSpec(name);
    REQUIRE_MESSAGE(spec.ok(), spec.status().message());
    CHECK(FirstSchemaThatFails(**spec) == "");
    ++documents;
  }
  CHECK(documents >= 3);
  auto admin = AdminSpec();  // with its provider enums filled, as it is served
  REQUIRE_MESSAGE(admin.ok(), admin.status().message());
  CHECK(FirstSchemaThatFails(**admin) == "");
}

TEST_CASE("a schema compiled at its first use refuses every value when it does not compile") {
  auto doc = OpenApiDocument::FromJson(
      nlohmann::json::parse(R"({"paths": {}, "components": {"schemas": {"Bad": {"type": "integer", "frob": 1}}}})"),
      "bad.yaml", nullptr, SchemaCompilation::kAtFirstUse);
  REQUIRE_MESSAGE(doc.ok(), doc.status().message());  // not compiled at load
  spec::LazyValidator bad = (*doc)->ComponentSchema("Bad");
  REQUIRE(bad != nullptr);
  CHECK(bad.Compile().message() == "unsupported keyword 'frob' at #/components/schemas/Bad");
  std::vector<spec::ValidationError> errors;
  CHECK_FALSE(bad->Validate(nlohmann::json(1), &errors));

  auto at_load = OpenApiDocument::FromJson(
      nlohmann::json::parse(R"({"paths": {}, "components": {"schemas": {"Bad": {"type": "integer", "frob": 1}}}})"),
      "bad.yaml", nullptr, SchemaCompilation::kAtLoad);
  REQUIRE_FALSE(at_load.ok());
  CHECK(at_load.status().message() == "bad.yaml: components/schemas/Bad: unsupported keyword 'frob' at #/components/schemas/Bad");
}

}  // namespace
}  // namespace imagine
