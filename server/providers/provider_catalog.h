// The catalog of providers this build serves: each is a plugin — a name, an OpenAPI document
// with its `x-emulator-dialect`, the defaults of its config section, and a factory that makes
// its Dialect from that section. The built-in providers are listed in builtin_providers.cc
// (one line each); a build may add more before start-up with a ProviderRegistrar (a static
// object in the plugin's own folder, as tests/providers/ does). Everything else — the engine,
// the state log, config, the control API, metrics, the dashboard — learns the providers from
// here and from engine/provider.h, where the catalog registers each name.
#ifndef IMAGINE_PROVIDERS_PROVIDER_CATALOG_H_
#define IMAGINE_PROVIDERS_PROVIDER_CATALOG_H_

#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/engine_options.h"
#include "engine/provider.h"
#include "providers/common/request_body.h"
#include "providers/dialect.h"

namespace imagine {

// What the config gives one provider at start-up.
struct ProviderSettings {
  Provider provider;                            // its registered id
  nlohmann::json section = nlohmann::json::object();  // its config section `<name>:`, defaults applied
  std::map<std::string, ModelOptions> models;   // `<name>.models`, parsed
  RequestValidation validation;                 // `validation:` (every provider)
};

struct ProviderPlugin {
  std::string name;      // [a-z0-9_-]: config section, metrics label, journal and state-log name
  std::string document;  // the embedded "schemas/<name>.openapi.yaml", or an absolute path to one
  // YAML merged over the embedded default config before the user's config: the defaults of
  // the provider's section (its models above all) and of callbacks.<name>. Empty for the
  // built-in providers, whose defaults are in fixtures/default-config.yaml.
  std::string default_config;
  std::function<std::unique_ptr<const Dialect>(const ProviderSettings&)> make;
};

// Adds a provider to the catalog. Only before the catalog is first read (ProviderPlugins);
// aborts with a message afterwards or for a name already taken.
void AddProviderPlugin(ProviderPlugin plugin);

// Adds a provider from a static object's constructor, i.e. before main().
struct ProviderRegistrar {
  explicit ProviderRegistrar(ProviderPlugin plugin) { AddProviderPlugin(std::move(plugin)); }
};

// The built-in providers, then those added; on the first call each name is registered in
// engine/provider.h (InternProvider).
const std::vector<ProviderPlugin>& ProviderPlugins();

// The names of ProviderPlugins(), in order.
std::vector<std::string> ProviderNamesInCatalog();

// The plugin named `name`, or null.
const ProviderPlugin* FindProviderPlugin(std::string_view name);

// The built-in providers (builtin_providers.cc).
std::vector<ProviderPlugin> BuiltinProviderPlugins();

}  // namespace imagine

#endif  // IMAGINE_PROVIDERS_PROVIDER_CATALOG_H_
