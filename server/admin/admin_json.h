// JSON forms of the structures both the config file and the admin API carry — key
// profiles, rate limits, scenario rules — defined once by schemas in
// schemas/admin.openapi.yaml and converted here. Stateless; thread-safe.
#ifndef IMAGINE_ADMIN_ADMIN_JSON_H_
#define IMAGINE_ADMIN_ADMIN_JSON_H_

#include <nlohmann/json.hpp>
#include <string_view>

#include "callbacks/callback_dispatcher.h"
#include "common/status.h"
#include "engine/accounts.h"
#include "engine/scenarios.h"
#include "spec/openapi.h"

namespace imagine {

// The embedded admin OpenAPI document, loaded once.
StatusOr<std::shared_ptr<const OpenApiDocument>> AdminSpec();

// Validates `value` against components/schemas/<schema> of the admin document, applying
// defaults. kInvalidArgument with the violation's pointer, rule and value.
Status ValidateAdminJson(std::string_view schema, nlohmann::json& value);

// From JSON already validated against the named schema.
KeyProfile KeyProfileFromJson(const nlohmann::json& j);
RateLimits RateLimitsFromJson(const nlohmann::json& j);
ScenarioRule ScenarioRuleFromJson(const nlohmann::json& j);

nlohmann::ordered_json CallbackAttemptToJson(const CallbackAttempt& a);
nlohmann::ordered_json KeyProfileToJson(const KeyProfile& p);
nlohmann::ordered_json RateLimitsToJson(const RateLimits& r);
nlohmann::ordered_json ScenarioRuleToJson(const ScenarioRule& r);

}  // namespace imagine

#endif  // IMAGINE_ADMIN_ADMIN_JSON_H_
