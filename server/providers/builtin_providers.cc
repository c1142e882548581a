// The built-in providers: one line each. A provider's own options are read from its config
// section here, next to its factory; what every provider has (models, rate limits,
// callbacks, proxy upstream) is read by the app for all of them alike.
#include "providers/apikley/apikley_dialect.h"
#include "providers/evolink/evolink_dialect.h"
#include "providers/provider_catalog.h"

namespace imagine {
namespace {

std::unique_ptr<const Dialect> MakeApikley(const ProviderSettings& s) {
  ApikleyOptions o;
  o.provider = s.provider;
  o.http_status = s.section.value("http_status", "") == "mirror_code" ? ApikleyHttpStatus::kMirrorCode
                                                                       : ApikleyHttpStatus::kAlways200;
  o.unknown_task = s.section.value("unknown_task", "") == "not_found" ? ApikleyUnknownTask::kNotFound
                                                                       : ApikleyUnknownTask::kRecordInfoNull;
  o.models = s.models;
  o.validation = s.validation;
  return MakeApikleyDialect(std::move(o));
}

std::unique_ptr<const Dialect> MakeEvolink(const ProviderSettings& s) {
  EvolinkOptions o;
  o.provider = s.provider;
  o.allow_private_callbacks = s.section.value("allow_private_callbacks", false);
  o.allow_private_images = s.section.value("allow_private_images", false);
  o.models = s.models;
  o.validation = s.validation;
  return MakeEvolinkDialect(o);
}

}  // namespace

std::vector<ProviderPlugin> BuiltinProviderPlugins() {
  return {
      {"apikley", "schemas/apikley.openapi.yaml", "", MakeApikley},
      {"evolink", "schemas/evolink.openapi.yaml", "", MakeEvolink},
  };
}

}  // namespace imagine
