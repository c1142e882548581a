// The built-in providers: one line each. A provider's own options are read from its config
// section here, next to its factory; what every provider has (models, rate limits,
// callbacks, proxy upstream) is read by the app for all of them alike.
#include "providers/apikley/apikley_dialect.h"
#include "providers/evolink/evolink_dialect.h"
#include "providers/provider_catalog.h"
#include "providers/xai/xai_dialect.h"

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

std::unique_ptr<const Dialect> MakeXai(const ProviderSettings& s) {
  XaiOptions o;
  o.provider = s.provider;
  o.allow_private_images = s.section.value("allow_private_images", false);
  o.allow_private_uploads = s.section.value("allow_private_uploads", false);
  o.models = s.models;
  o.validation = s.validation;
  const nlohmann::json per_second = s.section.value("per_second", nlohmann::json::object());
  for (auto it = per_second.begin(); it != per_second.end(); ++it) {
    XaiPerSecond rate;
    rate.price = it->value("price", 0.0);
    const nlohmann::json total = it->value("total_s", nlohmann::json::array({0, 0}));
    rate.total_min_s = total.at(0).get<double>();
    rate.total_max_s = total.at(1).get<double>();
    o.per_second[it.key() == "720p" ? 720 : 480] = rate;
  }
  return MakeXaiDialect(o);
}

}  // namespace

std::vector<ProviderPlugin> BuiltinProviderPlugins() {
  return {
      {"apikley", "schemas/apikley.openapi.yaml", "", MakeApikley},
      {"evolink", "schemas/evolink.openapi.yaml", "", MakeEvolink},
      {"xai", "schemas/xai.openapi.yaml", "", MakeXai},
  };
}

}  // namespace imagine
