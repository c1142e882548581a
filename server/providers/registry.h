// The one place where providers are registered: builds each provider's dialect, loads its
// embedded OpenAPI document, wraps both in the shared request flow (ProviderSurface) and
// adds one route per operation of the document to the router. Called once at start-up.
#ifndef IMAGINE_PROVIDERS_REGISTRY_H_
#define IMAGINE_PROVIDERS_REGISTRY_H_

#include <memory>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "http/router.h"
#include "providers/apikley/apikley_options.h"
#include "providers/common/provider_surface.h"
#include "providers/evolink/evolink_options.h"
#include "spec/embedded_documents.h"

namespace imagine {

// What the providers are told at start-up (config sections apikley:, evolink:, validation:).
struct ProviderOptions {
  ApikleyOptions apikley;
  EvolinkOptions evolink;
  RequestValidation validation;  // both providers
  const ImageFetcher* image_fetcher = nullptr;  // inputs.fetch: on; must outlive the surfaces
};

// Builds every provider and registers its routes. Fails when a document does not load or
// lacks its x-emulator-dialect, an operation has no handler, or a model lacks config.
StatusOr<std::vector<std::unique_ptr<ProviderSurface>>> RegisterProviders(const ProviderOptions& options,
                                                                          Engine* engine, Router* router);

// The embedded OpenAPI document of a provider ("schemas/<name>.openapi.yaml").
StatusOr<std::shared_ptr<const OpenApiDocument>> LoadProviderSpec(std::string_view provider_name);

}  // namespace imagine

#endif  // IMAGINE_PROVIDERS_REGISTRY_H_
