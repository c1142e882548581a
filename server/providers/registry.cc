#include "providers/registry.h"

#include "common/resources.h"
#include "providers/apikley/apikley_dialect.h"
#include "providers/evolink/evolink_dialect.h"

namespace imagine {
StatusOr<std::shared_ptr<const OpenApiDocument>> LoadProviderSpec(std::string_view provider_name) {
  return LoadEmbeddedSpec("schemas/" + std::string(provider_name) + ".openapi.yaml");
}

StatusOr<std::shared_ptr<const OpenApiDocument>> LoadEmbeddedSpec(const std::string& name) {
  auto text = FindResource(name);
  if (!text) return Internal(name + " is not embedded in this build");
  return OpenApiDocument::Parse(*text, name);
}

StatusOr<std::vector<std::unique_ptr<Dialect>>> RegisterProviders(const Config& config, Engine* engine,
                                                                  Router* router) {
  std::vector<std::unique_ptr<Dialect>> dialects;

  auto apikley_spec = LoadProviderSpec("apikley");
  if (!apikley_spec.ok()) return apikley_spec.status();
  ApikleyOptions apikley_options = config.apikley;
  apikley_options.validation = config.validation;
  auto apikley = ApikleyDialect::Create(std::move(apikley_spec).value(), std::move(apikley_options), engine);
  if (!apikley.ok()) return apikley.status();
  dialects.push_back(std::move(apikley).value());

  auto evolink_spec = LoadProviderSpec("evolink");
  if (!evolink_spec.ok()) return evolink_spec.status();
  EvolinkOptions evolink_options = config.evolink;
  evolink_options.validation = config.validation;
  auto evolink = EvolinkDialect::Create(std::move(evolink_spec).value(), std::move(evolink_options), engine);
  if (!evolink.ok()) return evolink.status();
  dialects.push_back(std::move(evolink).value());

  for (auto& d : dialects) IMAGINE_RETURN_IF_ERROR(router->Mount(d.get()));
  return dialects;
}

}  // namespace imagine
