// Serves the providers of the catalog (provider_catalog.h): builds each provider's dialect
// from its settings, loads its OpenAPI document, wraps both in the shared request flow
// (ProviderSurface) and adds one route per operation of the document to the router.
// Called once at start-up.
#ifndef IMAGINE_PROVIDERS_REGISTRY_H_
#define IMAGINE_PROVIDERS_REGISTRY_H_

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "http/router.h"
#include "providers/common/provider_surface.h"
#include "providers/provider_catalog.h"
#include "spec/embedded_documents.h"

namespace imagine {

// Where the providers' documents come from (config section schemas:, --schemas DIR).
struct SchemaSources {
  std::string dir;  // "" = the embedded documents; else <dir>/<provider>.openapi.yaml where present
  std::map<std::string, std::string> models;  // model -> its published per-model document (a file)
};

// What the providers are told at start-up (each provider's config section, validation:).
struct ProviderOptions {
  std::map<std::string, ProviderSettings> providers;  // by name; `provider` is filled in here
  RequestValidation validation;  // every provider
  const ImageFetcher* image_fetcher = nullptr;  // inputs.fetch: on; must outlive the surfaces
  SchemaSources schemas;
};

// Builds every provider and registers its routes. Fails when a document does not load or
// lacks its x-emulator-dialect, an operation has no handler, or a model lacks config.
StatusOr<std::vector<std::unique_ptr<ProviderSurface>>> RegisterProviders(const ProviderOptions& options,
                                                                          Engine* engine, Router* router);

// The OpenAPI document of the catalog's provider `provider_name` as built in (no schemas.dir).
StatusOr<std::shared_ptr<const OpenApiDocument>> LoadProviderSpec(std::string_view provider_name);

// The document of the provider whose own one is `resource` ("schemas/<name>.openapi.yaml"
// embedded, or an absolute file path), from `sources`: <dir>/<name>.openapi.yaml when dir is
// set and the file exists, else its own; with the models of sources.models it declares grafted in (their names are
// erased from *unused). kInvalidArgument "<file>: <where>: <problem>" when unusable.
StatusOr<std::shared_ptr<const OpenApiDocument>> LoadProviderSpec(const std::string& resource,
                                                                  const SchemaSources& sources,
                                                                  std::set<std::string>* unused);

}  // namespace imagine

#endif  // IMAGINE_PROVIDERS_REGISTRY_H_
