// The control API's own OpenAPI document (schemas/admin.openapi.yaml), loaded once, and
// validation of JSON against its component schemas. Thread-safe.
#ifndef IMAGINE_ADMIN_ADMIN_SPEC_H_
#define IMAGINE_ADMIN_ADMIN_SPEC_H_

#include <nlohmann/json.hpp>
#include <string_view>

#include "common/status.h"
#include "spec/openapi.h"

namespace imagine {

// The embedded admin OpenAPI document, loaded once.
StatusOr<std::shared_ptr<const OpenApiDocument>> AdminSpec();

// Validates `value` against components/schemas/<schema> of the admin document, applying
// defaults. kInvalidArgument with the violation's pointer, rule and value.
Status ValidateAdminJson(std::string_view schema, nlohmann::json& value);

}  // namespace imagine

#endif  // IMAGINE_ADMIN_ADMIN_SPEC_H_
