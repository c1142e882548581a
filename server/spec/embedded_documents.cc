#include "spec/embedded_documents.h"

#include <map>
#include <mutex>

#include "common/resources.h"
#include "spec/yaml_json.h"

namespace imagine {

StatusOr<nlohmann::json> ParseEmbeddedDocument(const std::string& name) {
  if (auto cbor = FindPreparsed(name)) {  // converted from the YAML at build time
    try {
      return nlohmann::json::from_cbor(cbor->begin(), cbor->end());
    } catch (const nlohmann::json::exception& e) {
      return Internal(name + ": the pre-parsed form does not decode: " + e.what());
    }
  }
  auto text = FindResource(name);
  if (!text) return NotFound(name + " is not embedded in this build");
  return spec::ParseYamlDocument(*text, name);
}

StatusOr<nlohmann::json> LoadEmbeddedJson(const std::string& name) {
  // Parsed once per process: YAML parsing was most of start-up, and the documents are read
  // several times (a $ref into config.schema.yaml from each document that has one, ...).
  static std::mutex mu;
  static std::map<std::string, StatusOr<nlohmann::json>> parsed;
  std::lock_guard<std::mutex> lock(mu);
  auto found = parsed.find(name);
  if (found == parsed.end()) {
    found = parsed.emplace(name, ParseEmbeddedDocument(name)).first;
  }
  return found->second;  // a copy: callers change their document
}

StatusOr<nlohmann::json> LoadEmbeddedSchema(const std::string& name) {
  auto doc = LoadEmbeddedJson(name);
  if (!doc.ok()) return doc.status();
  // Other documents are named relative to schemas/, where they all live.
  IMAGINE_RETURN_IF_ERROR(
      BundleExternalRefs(*doc, [](const std::string& other) { return LoadEmbeddedJson("schemas/" + other); }, name));
  return doc;
}

StatusOr<std::shared_ptr<const OpenApiDocument>> LoadEmbeddedSpec(const std::string& name) {
  auto doc = LoadEmbeddedJson(name);
  if (!doc.ok()) return doc.status().code() == Code::kNotFound ? Internal(doc.status().message()) : doc.status();
  // Other documents are named relative to schemas/, where they all live.
  return OpenApiDocument::FromJson(std::move(doc).value(), name,
                                   [](const std::string& other) { return LoadEmbeddedJson("schemas/" + other); },
                                   SchemaCompilation::kAtFirstUse);  // a unit test compiles every embedded schema
}

}  // namespace imagine
