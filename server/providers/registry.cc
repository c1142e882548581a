#include "providers/registry.h"

#include "providers/apikley/apikley_dialect.h"
#include "providers/evolink/evolink_dialect.h"

namespace imagine {

StatusOr<std::shared_ptr<const OpenApiDocument>> LoadProviderSpec(std::string_view provider_name) {
  return LoadEmbeddedSpec("schemas/" + std::string(provider_name) + ".openapi.yaml");
}

StatusOr<std::vector<std::unique_ptr<ProviderSurface>>> RegisterProviders(const ProviderOptions& options,
                                                                          Engine* engine, Router* router) {
  ApikleyOptions apikley = options.apikley;
  apikley.validation = options.validation;
  EvolinkOptions evolink = options.evolink;
  evolink.validation = options.validation;
  std::vector<std::unique_ptr<const Dialect>> dialects;
  dialects.push_back(MakeApikleyDialect(std::move(apikley)));
  dialects.push_back(MakeEvolinkDialect(evolink));

  std::vector<std::unique_ptr<ProviderSurface>> surfaces;
  for (auto& dialect : dialects) {
    auto spec = LoadEmbeddedSpec(dialect->traits().spec_resource);
    if (!spec.ok()) return spec.status();
    auto surface = ProviderSurface::Create(std::move(dialect), std::move(spec).value(), engine, options.image_fetcher);
    if (!surface.ok()) return surface.status();
    IMAGINE_RETURN_IF_ERROR(router->Mount(surface->get()));
    surfaces.push_back(std::move(surface).value());
  }
  return surfaces;
}

}  // namespace imagine
