#include "spec/embedded_documents.h"

#include <map>
#include <mutex>

#include "common/resources.h"
#include "spec/yaml_json.h"

namespace imagine {

StatusOr<nlohmann::json> LoadEmbeddedJson(const std::string& name) {
  // Parsed once per process: YAML parsing was most of start-up, and the documents are read
  // several times (a $ref into config.schema.yaml from each document that has one, ...).
  static std::mutex mu;
  static std::map<std::string, StatusOr<nlohmann::json>> parsed;
  std::lock_guard<std::mutex> lock(mu);
  auto found = parsed.find(name);
  if (found == parsed.end()) {
    auto text = FindResource(name);
    StatusOr<nlohmann::json> doc =
        text ? spec::ParseYamlDocument(*text, name) : StatusOr<nlohmann::json>(NotFound(name + " is not embedded in this build"));
    found = parsed.emplace(name, std::move(doc)).first;
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
                                   [](const std::string& other) { return LoadEmbeddedJson("schemas/" + other); });
}

}  // namespace imagine
