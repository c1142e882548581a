// The control API's own OpenAPI document (schemas/admin.openapi.yaml), loaded once, and
// validation of JSON against its component schemas. Thread-safe.
#ifndef IMAGINE_ADMIN_ADMIN_SPEC_H_
#define IMAGINE_ADMIN_ADMIN_SPEC_H_

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "spec/openapi.h"

namespace imagine {

// The names of the documents GET /_emulator/openapi/{document} serves (without .yaml/.json):
// admin, each provider's, config.schema.
std::vector<std::string> AdminServedDocumentNames();

// The embedded admin OpenAPI document, loaded once, its provider enums filled in.
StatusOr<std::shared_ptr<const OpenApiDocument>> AdminSpec();

// Validates `value` against components/schemas/<schema> of the admin document, applying
// defaults. kInvalidArgument with the violation's pointer, rule and value.
Status ValidateAdminJson(std::string_view schema, nlohmann::json& value);

}  // namespace imagine

#endif  // IMAGINE_ADMIN_ADMIN_SPEC_H_
