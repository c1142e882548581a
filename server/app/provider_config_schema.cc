#include "app/provider_config_schema.h"

#include "spec/enum_markers.h"

namespace imagine {

void AddProviderKeys(nlohmann::json* schema, const std::vector<std::string>& provider_names) {
  nlohmann::json& properties = (*schema)["properties"];
  const nlohmann::json& definitions = (*schema)["definitions"];
  for (const std::string& name : provider_names) {
    // Copies, not $refs: defaults are applied from the node itself.
    if (!properties.contains(name)) properties[name] = definitions["ProviderSection"];
    nlohmann::json& callbacks = properties["callbacks"]["properties"];
    if (!callbacks.contains(name)) callbacks[name] = definitions["ProviderCallbacks"];
    nlohmann::json& proxy = properties["proxy"]["properties"];
    if (!proxy.contains(name)) proxy[name] = definitions["ProviderUpstream"];
  }
  spec::FillEnumMarkers(schema, "providers", provider_names);
}

}  // namespace imagine
