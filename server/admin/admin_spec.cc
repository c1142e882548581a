#include "admin/admin_spec.h"

#include "spec/embedded_documents.h"
#include "spec/json_schema.h"

namespace imagine {

StatusOr<std::shared_ptr<const OpenApiDocument>> AdminSpec() {
  static const StatusOr<std::shared_ptr<const OpenApiDocument>> kSpec = LoadEmbeddedSpec("schemas/admin.openapi.yaml");
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
