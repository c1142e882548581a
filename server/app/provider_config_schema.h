// The config schema's provider keys for the providers a build adds beyond those
// schemas/config.schema.yaml names: `<name>:` (definitions/ProviderSection),
// `callbacks.<name>` (ProviderCallbacks) and `proxy.<name>` (ProviderUpstream); and the
// `x-enum: providers` enums filled with every provider's name. Applied once, when the
// schema is first read (ConfigDocument::SchemaJson).
#ifndef IMAGINE_APP_PROVIDER_CONFIG_SCHEMA_H_
#define IMAGINE_APP_PROVIDER_CONFIG_SCHEMA_H_

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace imagine {

void AddProviderKeys(nlohmann::json* schema, const std::vector<std::string>& provider_names);

}  // namespace imagine

#endif  // IMAGINE_APP_PROVIDER_CONFIG_SCHEMA_H_
