#include "providers/common/create_operation.h"

namespace imagine {

StatusOr<const OpenApiOperation*> FindCreateOperation(const OpenApiDocument& spec, std::string_view operation_id,
                                                      const std::map<std::string, ModelOptions>& models,
                                                      std::string_view config_section) {
  const OpenApiOperation* op = spec.Find(operation_id);
  if (op == nullptr || op->request_body == nullptr || op->models.empty()) {
    return InvalidArgument(spec.source_name() + ": " + std::string(operation_id) +
                           " needs a request body and x-emulator-models");
  }
  for (const auto& [model, schema] : op->models) {
    if (models.count(model) == 0) {
      return InvalidArgument("config: " + std::string(config_section) + " has no entry for model '" + model +
                             "' of the spec");
    }
  }
  return op;
}

}  // namespace imagine
