// The one place where providers are registered: loads each provider's embedded OpenAPI
// document, builds its dialect and adds one route per spec operation to the router,
// bound to the dialect's handler of the same operationId. Called once at start-up.
#ifndef IMAGINE_PROVIDERS_REGISTRY_H_
#define IMAGINE_PROVIDERS_REGISTRY_H_

#include <memory>
#include <vector>

#include "app/config.h"
#include "engine/engine.h"
#include "http/router.h"
#include "providers/dialect.h"

namespace imagine {

// Builds every dialect and registers its routes. Fails when a spec does not load, an
// operation has no handler or a handler no operation, or a model lacks config.
StatusOr<std::vector<std::unique_ptr<Dialect>>> RegisterProviders(const Config& config, Engine* engine,
                                                                  Router* router);

// The embedded OpenAPI document of a provider ("schemas/<name>.openapi.yaml").
StatusOr<std::shared_ptr<const OpenApiDocument>> LoadProviderSpec(std::string_view provider_name);
// Any embedded OpenAPI document by resource name, e.g. "schemas/admin.openapi.yaml".
StatusOr<std::shared_ptr<const OpenApiDocument>> LoadEmbeddedSpec(const std::string& name);

}  // namespace imagine

#endif  // IMAGINE_PROVIDERS_REGISTRY_H_
