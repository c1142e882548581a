// JSON forms of key profiles and rate limits, as the config file and the control API
// carry them (schemas/config.schema.yaml: KeyProfile and RateLimits). Converters only: the
// JSON must already be valid against those schemas with their defaults applied (the
// defaults live there, not here). Stateless; thread-safe.
#ifndef IMAGINE_ENGINE_ACCOUNTS_JSON_H_
#define IMAGINE_ENGINE_ACCOUNTS_JSON_H_

#include <nlohmann/json.hpp>

#include "engine/accounts.h"

namespace imagine {

KeyProfile KeyProfileFromJson(const nlohmann::json& j);
RateLimits RateLimitsFromJson(const nlohmann::json& j);
// The HMAC key is a secret: with `mask_secrets` it shows only as "********" when one is set.
nlohmann::ordered_json KeyProfileToJson(const KeyProfile& p, bool mask_secrets = true);
nlohmann::ordered_json RateLimitsToJson(const RateLimits& r);

}  // namespace imagine

#endif  // IMAGINE_ENGINE_ACCOUNTS_JSON_H_
