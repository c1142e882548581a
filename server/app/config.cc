// The thin reader: a checked config document (config_document.h) to option structs, and
// back. Every type, bound and default was settled by the schema before this runs.
#include "app/config.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

#include "app/config_document.h"
#include "app/config_fields.h"
#include "common/json_number.h"
#include "common/resources.h"
#include "engine/accounts_json.h"
#include "engine/scenarios_json.h"
#include "providers/provider_catalog.h"
#include "spec/embedded_documents.h"

namespace imagine {
namespace {

using json = nlohmann::json;
using ojson = nlohmann::ordered_json;

int64_t Ms(double seconds) { return static_cast<int64_t>(std::llround(seconds * 1000.0)); }
double Seconds(int64_t ms) { return static_cast<double>(ms) / 1000.0; }

// A key left out of a partly written policy keeps the provider's default (`fallback`):
// "callbacks: {apikley: {timeout_s: 2}}" used to end the process (uncaught out_of_range).
RetryPolicy PolicyFromJson(const json& j, const RetryPolicy& fallback) {
  RetryPolicy p = fallback;
  if (j.contains("timeout_s")) p.timeout_ms = Ms(j.at("timeout_s").get<double>());
  if (j.contains("retries_s")) {
    p.retry_delays_ms.clear();
    for (const json& d : j.at("retries_s")) p.retry_delays_ms.push_back(Ms(d.get<double>()));
  }
  return p;
}

ojson PolicyToJson(const RetryPolicy& p) {
  ojson retries = ojson::array();
  for (int64_t d : p.retry_delays_ms) retries.push_back(JsonNumber(Seconds(d)));
  return ojson{{"timeout_s", JsonNumber(Seconds(p.timeout_ms))}, {"retries_s", std::move(retries)}};
}

// The schema's default of callbacks.<provider>: what a partly written policy falls back to.
RetryPolicy DefaultPolicy(const std::string& provider) {
  const json& node = ConfigDocument::SchemaJson()["properties"]["callbacks"]["properties"][provider];
  return PolicyFromJson(node.is_object() ? node.value("default", json::object()) : json::object(), RetryPolicy{});
}

std::map<std::string, ModelOptions> ModelsFromJson(const json& j) {
  std::map<std::string, ModelOptions> models;
  for (auto it = j.begin(); it != j.end(); ++it) {
    const json& m = it.value();
    ModelOptions& mo = models[it.key()];
    mo.name = it.key();
    mo.output = m.at("output") == "image" ? MediaKind::kImage : MediaKind::kVideo;
    mo.outputs = m.at("outputs").get<int>();
    mo.price = m.at("price").get<double>();
    const json& t = m.at("timing");
    mo.timing = StageTiming{t["waiting_s"][0].get<double>(), t["waiting_s"][1].get<double>(),
                            t["queuing_s"][0].get<double>(), t["queuing_s"][1].get<double>(),
                            t["total_s"][0].get<double>(),   t["total_s"][1].get<double>()};
    if (auto c = t.find("complex_prompt"); c != t.end()) {
      mo.timing.complex_over_chars = c->at("over_chars").get<int>();
      mo.timing.complex_total_min_s = c->at("total_s")[0].get<double>();
      mo.timing.complex_total_max_s = c->at("total_s")[1].get<double>();
    }
  }
  return models;
}

ojson ModelsToJson(const std::map<std::string, ModelOptions>& models) {
  ojson out = ojson::object();
  for (const auto& [name, mo] : models) {
    const StageTiming& t = mo.timing;
    out[name] = {{"output", mo.output == MediaKind::kVideo ? "video" : "image"},
                 {"outputs", mo.outputs},
                 {"price", JsonNumber(mo.price)},
                 {"timing",
                  {{"waiting_s", {JsonNumber(t.waiting_min_s), JsonNumber(t.waiting_max_s)}},
                   {"queuing_s", {JsonNumber(t.queuing_min_s), JsonNumber(t.queuing_max_s)}},
                   {"total_s", {JsonNumber(t.total_min_s), JsonNumber(t.total_max_s)}}}}};
    if (t.complex_over_chars > 0) {
      out[name]["timing"]["complex_prompt"] = {
          {"over_chars", t.complex_over_chars},
          {"total_s", {JsonNumber(t.complex_total_min_s), JsonNumber(t.complex_total_max_s)}}};
    }
  }
  return out;
}

// `from` as another nlohmann type (json <-> ordered_json), exactly as parsing its dump would
// give it (a non-negative integer becomes unsigned, a NaN or infinity null), without the text.
template <class To, class From>
To Converted(const From& from) {
  switch (from.type()) {
    case nlohmann::json::value_t::object: {
      To out = To::object();
      for (auto it = from.begin(); it != from.end(); ++it) out[it.key()] = Converted<To>(it.value());
      return out;
    }
    case nlohmann::json::value_t::array: {
      To out = To::array();
      for (const From& item : from) out.push_back(Converted<To>(item));
      return out;
    }
    case nlohmann::json::value_t::string: return from.template get_ref<const std::string&>();
    case nlohmann::json::value_t::boolean: return from.template get<bool>();
    case nlohmann::json::value_t::number_unsigned: return from.template get<uint64_t>();
    case nlohmann::json::value_t::number_integer: {
      const int64_t i = from.template get<int64_t>();
      return i >= 0 ? To(static_cast<uint64_t>(i)) : To(i);
    }
    case nlohmann::json::value_t::number_float: {
      const double d = from.template get<double>();
      return std::isfinite(d) ? To(d) : To();
    }
    default: return To();  // null (and binary, which a config never holds)
  }
}

// Applies `apply` (which merges layers into a document) on top of `config`; with `trusted`, the
// layers are known to keep the document valid (ConfigDocument::ResolveTrusted).
Status Reapply(Config* config, const std::function<Status(ConfigDocument*)>& apply, bool trusted = false) {
  ConfigDocument doc;
  doc.MergeJson(Converted<json>(ConfigToJson(*config, /*mask_secrets=*/false)), ConfigDocument::Origin{});
  IMAGINE_RETURN_IF_ERROR(apply(&doc));
  auto resolved = trusted ? doc.ResolveTrusted() : doc.Resolve();
  if (!resolved.ok()) return resolved.status();
  *config = ConfigFromJson(*resolved);
  return Status::Ok();
}

}  // namespace

Config ConfigFromJson(const json& j) {
  Config c;
  for (const ConfigField& field : ConfigFields()) field.read(j.at(json::json_pointer(field.pointer)), c);
  c.inputs.verify_tls = c.callbacks.verify_tls;  // input images are fetched with the callbacks' trust
  c.inputs.ca_file = c.callbacks.ca_file;
  // Every provider of the catalog has a section, a callbacks policy and an upstream.
  for (const std::string& name : ProviderNamesInCatalog()) {
    ProviderConfig& p = c.providers[name];
    p.section = j.at(name);
    p.models = ModelsFromJson(p.section.at("models"));
    p.section.erase("models");       // kept once, in `models`
    p.section.erase("rate_limits");  // kept once, in accounts.provider_limits
    c.accounts.provider_limits[InternProvider(name)] = RateLimitsFromJson(j.at(name).at("rate_limits"));
    p.callbacks = PolicyFromJson(j.at("callbacks").at(name), DefaultPolicy(name));
    p.upstream = j.at("proxy").at(name).get<std::string>();
  }
  return c;
}

ojson ConfigToJson(const Config& c, bool mask_secrets) {
  ojson j;
  for (const ConfigField& field : ConfigFields()) j[ojson::json_pointer(field.pointer)] = field.write(c, mask_secrets);
  for (const auto& [name, p] : c.providers) {
    j["callbacks"][name] = PolicyToJson(p.callbacks);
    j["proxy"][name] = p.upstream;
    ojson section = Converted<ojson>(p.section);
    auto limits = c.accounts.provider_limits.find(InternProvider(name));
    section["rate_limits"] = limits == c.accounts.provider_limits.end() ? ojson::object() : RateLimitsToJson(limits->second);
    section["models"] = ModelsToJson(p.models);
    j[name] = std::move(section);
  }
  return j;
}

Status ApplyConfigYaml(std::string_view text, std::string_view source, Config* config) {
  return Reapply(config, [&](ConfigDocument* doc) { return doc->MergeYaml(text, source); });
}

Status ApplyConfigJson(const nlohmann::json& layer, std::string_view source, Config* config) {
  return Reapply(config, [&](ConfigDocument* doc) {
    doc->MergeJson(layer, ConfigDocument::Origin{std::string(source), 0, true, ""});
    return Status::Ok();
  });
}

Status ApplyConfigLayers(const std::vector<ConfigLayer>& layers, Config* config) {
  const bool trusted = std::all_of(layers.begin(), layers.end(), [](const ConfigLayer& l) { return l.checked_alone; });
  return Reapply(
      config,
      [&](ConfigDocument* doc) {
        for (const ConfigLayer& layer : layers) doc->MergeJson(layer.value, ConfigDocument::Origin{layer.source, 0, true, layer.text});
        return Status::Ok();
      },
      trusted);
}

namespace {

// The embedded default config and the defaults of providers a build adds, into `doc`.
Status MergeEmbeddedDefault(ConfigDocument* doc) {
  auto embedded = FindResource("fixtures/default-config.yaml");
  if (!embedded) return Internal("the default config is not embedded in this build");
  // Its pre-parsed form (made at build time): yaml-cpp runs on its text only if an error names
  // one of its lines.
  auto preparsed = ParseEmbeddedDocument("fixtures/default-config.yaml");
  if (preparsed.ok()) {
    doc->MergePreparsedYaml(*preparsed, *embedded, "default-config.yaml (embedded)");
  } else {
    IMAGINE_RETURN_IF_ERROR(doc->MergeYaml(*embedded, "default-config.yaml (embedded)"));
  }
  for (const ProviderPlugin& plugin : ProviderPlugins()) {  // the defaults of providers a build adds
    if (!plugin.default_config.empty()) {
      IMAGINE_RETURN_IF_ERROR(doc->MergeYaml(plugin.default_config, "the " + plugin.name + " provider's default config"));
    }
  }
  return Status::Ok();
}

// No file and no provider-added default: only the embedded default config, which a unit test
// checks against the schema, so its defaults are applied without compiling the schema.
bool EmbeddedOnly(const std::string& path) {
  return path.empty() && std::none_of(ProviderPlugins().begin(), ProviderPlugins().end(),
                                      [](const ProviderPlugin& p) { return !p.default_config.empty(); });
}

}  // namespace

StatusOr<Config> LoadConfig(const std::string& path) {
  ConfigDocument doc;
  IMAGINE_RETURN_IF_ERROR(MergeEmbeddedDefault(&doc));
  if (!path.empty()) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return InvalidArgument("cannot read config file " + path);
    std::stringstream text;
    text << in.rdbuf();
    IMAGINE_RETURN_IF_ERROR(doc.MergeYaml(text.str(), path));
  }
  auto resolved = EmbeddedOnly(path) ? doc.ResolveTrusted() : doc.Resolve();  // a file is checked whole
  if (!resolved.ok()) return resolved.status();
  return ConfigFromJson(*resolved);
}

StatusOr<Config> LoadConfig(const std::string& path, const std::vector<ConfigLayer>& layers) {
  const bool alone = std::all_of(layers.begin(), layers.end(), [](const ConfigLayer& l) { return l.checked_alone; });
  if (layers.empty() || !alone || !EmbeddedOnly(path)) {
    auto config = LoadConfig(path);
    if (!config.ok() || layers.empty()) return config;
    IMAGINE_RETURN_IF_ERROR(ApplyConfigLayers(layers, &config.value()));
    return config;
  }
  // Each layer's values satisfy their key's schema and relate to no other key: merged into the
  // embedded default's document, they are resolved with it, once.
  ConfigDocument doc;
  IMAGINE_RETURN_IF_ERROR(MergeEmbeddedDefault(&doc));
  for (const ConfigLayer& layer : layers) doc.MergeJson(layer.value, ConfigDocument::Origin{layer.source, 0, true, layer.text});
  auto resolved = doc.ResolveTrusted();
  if (!resolved.ok()) return resolved.status();
  return ConfigFromJson(*resolved);
}

}  // namespace imagine
