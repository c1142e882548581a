#include "spec/embedded_documents.h"

#include "common/resources.h"
#include "spec/yaml_json.h"

namespace imagine {

StatusOr<nlohmann::json> LoadEmbeddedJson(const std::string& name) {
  auto text = FindResource(name);
  if (!text) return NotFound(name + " is not embedded in this build");
  return spec::ParseYamlDocument(*text, name);
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
  auto text = FindResource(name);
  if (!text) return Internal(name + " is not embedded in this build");
  // Other documents are named relative to schemas/, where they all live.
  return OpenApiDocument::Parse(*text, name, [](const std::string& other) { return LoadEmbeddedJson("schemas/" + other); });
}

}  // namespace imagine
