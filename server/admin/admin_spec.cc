#include "admin/admin_spec.h"

#include "providers/provider_catalog.h"
#include "spec/embedded_documents.h"
#include "spec/enum_markers.h"
#include "spec/json_schema.h"

namespace imagine {

namespace {

// An embedded document with its `x-enum: providers` and `x-enum: documents` filled in.
StatusOr<nlohmann::json> WithProviderEnums(const std::string& resource) {
  auto doc = LoadEmbeddedJson(resource);
  if (!doc.ok()) return doc.status();
  const std::vector<std::string> providers = ProviderNamesInCatalog();
  std::vector<std::string> documents;
  for (const std::string& base : AdminServedDocumentNames()) {
    documents.push_back(base + ".yaml");
    documents.push_back(base + ".json");
  }
  spec::FillEnumMarkers(&doc.value(), {{"providers", providers}, {"documents", documents}});
  return doc;
}

}  // namespace

std::vector<std::string> AdminServedDocumentNames() {
  std::vector<std::string> names = {"admin"};
  for (const std::string& p : ProviderNamesInCatalog()) names.push_back(p);
  names.emplace_back("config.schema");
  return names;
}

StatusOr<std::shared_ptr<const OpenApiDocument>> AdminSpec() {
  static const StatusOr<std::shared_ptr<const OpenApiDocument>> kSpec =
      []() -> StatusOr<std::shared_ptr<const OpenApiDocument>> {
    auto doc = WithProviderEnums("schemas/admin.openapi.yaml");
    if (!doc.ok()) return doc.status();
    // Other documents are named relative to schemas/, where they all live.
    return OpenApiDocument::FromJson(std::move(doc).value(), "schemas/admin.openapi.yaml",
                                     [](const std::string& other) { return WithProviderEnums("schemas/" + other); },
                                     SchemaCompilation::kAtFirstUse);  // embedded: a unit test compiles it whole
  }();
  return kSpec;
}

Status ValidateAdminJson(std::string_view schema, nlohmann::json& value) {
  auto spec = AdminSpec();
  if (!spec.ok()) return spec.status();
  auto validator = (*spec)->ComponentSchema(schema);
  if (validator == nullptr) return Internal("admin schema " + std::string(schema) + " is missing");
  return ValidateAgainst(*validator, value, /*reject_unknown_fields=*/false);
}

}  // namespace imagine
