#include "admin/admin_spec.h"

#include "common/resources.h"
#include "spec/validate.h"

namespace imagine {

StatusOr<std::shared_ptr<const OpenApiDocument>> AdminSpec() {
  static const StatusOr<std::shared_ptr<const OpenApiDocument>> kSpec = [] {
    const std::string name = "schemas/admin.openapi.yaml";
    auto text = FindResource(name);
    if (!text) return StatusOr<std::shared_ptr<const OpenApiDocument>>(Internal(name + " is not embedded"));
    return OpenApiDocument::Parse(*text, name);
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
