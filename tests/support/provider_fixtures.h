// Test fixtures for provider unit tests: the embedded documents' wording tables and
// ProviderSurfaces built on them without an engine (enough for rendering; request
// handlers need an engine).
#ifndef IMAGINE_TESTS_SUPPORT_PROVIDER_FIXTURES_H_
#define IMAGINE_TESTS_SUPPORT_PROVIDER_FIXTURES_H_

#include <doctest/doctest.h>

#include <memory>
#include <string>

#include "providers/apikley/apikley_dialect.h"
#include "providers/common/provider_surface.h"
#include "providers/evolink/evolink_dialect.h"
#include "providers/registry.h"

namespace imagine::testing {

inline std::shared_ptr<const OpenApiDocument> EmbeddedSpec(const std::string& provider) {
  auto spec = LoadProviderSpec(provider);
  REQUIRE_MESSAGE(spec.ok(), spec.status().ToString());
  return *spec;
}

// The wording table of a provider's embedded document.
inline const Wording& EmbeddedWording(const std::string& provider) {
  static const Wording apikley = *Wording::Parse(EmbeddedSpec("apikley")->document()["x-emulator-dialect"], "apikley");
  static const Wording evolink = *Wording::Parse(EmbeddedSpec("evolink")->document()["x-emulator-dialect"], "evolink");
  return provider == "apikley" ? apikley : evolink;
}

// Options with an entry for every model of the provider's document.
template <typename Options>
Options WithSpecModels(Options options, const std::string& provider) {
  options.provider = InternProvider(provider);
  const auto spec = EmbeddedSpec(provider);
  for (const auto& op : spec->operations()) {
    for (const auto& [model, schema] : op.models) options.models[model].name = model;
  }
  return options;
}

inline std::unique_ptr<ProviderSurface> ApikleySurface(ApikleyOptions options = {}) {
  auto surface = ProviderSurface::Create(MakeApikleyDialect(WithSpecModels(options, "apikley")),
                                         EmbeddedSpec("apikley"), nullptr);
  REQUIRE_MESSAGE(surface.ok(), surface.status().ToString());
  return std::move(surface).value();
}

inline std::unique_ptr<ProviderSurface> EvolinkSurface(EvolinkOptions options = {}) {
  auto surface = ProviderSurface::Create(MakeEvolinkDialect(WithSpecModels(options, "evolink")),
                                         EmbeddedSpec("evolink"), nullptr);
  REQUIRE_MESSAGE(surface.ok(), surface.status().ToString());
  return std::move(surface).value();
}

}  // namespace imagine::testing

#endif  // IMAGINE_TESTS_SUPPORT_PROVIDER_FIXTURES_H_
