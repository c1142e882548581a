// Unit tests for the embedded documents' pre-parsed forms (common/resources.h FindPreparsed,
// spec/embedded_documents.h): each is exactly what parsing the embedded YAML gives at run time.
#include <doctest/doctest.h>

#include <string>

#include <nlohmann/json.hpp>

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

}  // namespace
}  // namespace imagine
