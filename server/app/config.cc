// The thin reader: a checked config document (config_document.h) to option structs, and
// back. Every type, bound and default was settled by the schema before this runs.
#include "app/config.h"

#include <cmath>
#include <fstream>
#include <sstream>

#include "app/config_document.h"
#include "common/json_number.h"
#include "common/resources.h"
#include "engine/accounts_json.h"
#include "engine/scenarios_json.h"
#include "providers/provider_catalog.h"

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

// Applies `apply` (which merges layers into a document) on top of `config`.
Status Reapply(Config* config, const std::function<Status(ConfigDocument*)>& apply) {
  ConfigDocument doc;
  doc.MergeJson(json::parse(ConfigToJson(*config, /*mask_secrets=*/false).dump()), ConfigDocument::Origin{});
  IMAGINE_RETURN_IF_ERROR(apply(&doc));
  auto resolved = doc.Resolve();
  if (!resolved.ok()) return resolved.status();
  *config = ConfigFromJson(*resolved);
  return Status::Ok();
}

}  // namespace

Config ConfigFromJson(const json& j) {
  Config c;
  const json& server = j.at("server");
  c.server.host = server.at("host").get<std::string>();
  c.server.port = server.at("port").get<int>();
  c.server.public_url = server.at("public_url").get<std::string>();
  while (!c.server.public_url.empty() && c.server.public_url.back() == '/') c.server.public_url.pop_back();
  c.server.allowed_hosts = server.at("allowed_hosts").get<std::vector<std::string>>();
  c.server.threads = server.at("threads").get<int>();
  c.server.keep_alive_max_requests = server.at("keep_alive_max_requests").get<int>();
  c.server.keep_alive_timeout_s = server.at("keep_alive_timeout_s").get<int>();
  c.server.read_timeout_s = server.at("read_timeout_s").get<int>();
  c.server.write_timeout_s = server.at("write_timeout_s").get<int>();
  c.server.body_limit_bytes = server.at("body_limit_bytes").get<size_t>();
  const json& clock = j.at("clock");
  c.clock.mode = clock.at("mode") == "virtual" ? ClockMode::kVirtual : ClockMode::kReal;
  c.clock.time_scale = clock.at("time_scale").get<double>();
  c.clock.start_ms = clock.at("start_ms").get<int64_t>();
  c.seed = j.at("seed").get<uint64_t>();
  c.log_level = j.at("log_level").get<std::string>();
  c.log_json = j.at("log_format") == "json";
  c.self_check = j.at("self_check").get<bool>();
  c.validation.strict = j.at("validation").at("strict").get<bool>();
  c.validation.max_depth = j.at("validation").at("max_depth").get<int>();
  c.result_ttl_s = j.at("results").at("ttl_s").get<int64_t>();
  c.max_stored_tasks = j.at("tasks").at("max_stored").get<size_t>();
  c.max_stored_bytes = j.at("tasks").at("max_stored_bytes").get<size_t>();
  c.admin_token = j.at("admin").at("token").get<std::string>();
  c.admin_protect_health = j.at("admin").at("protect_health").get<bool>();
  const json& journal = j.at("journal");
  c.journal.capacity = journal.at("capacity").get<size_t>();
  c.journal.max_body_bytes = journal.at("max_body_bytes").get<size_t>();
  c.journal.max_bytes = journal.at("max_bytes").get<size_t>();
  c.journal.file = journal.at("file").get<std::string>();
  const json& callbacks = j.at("callbacks");
  c.callbacks.workers = callbacks.at("workers").get<int>();
  c.callbacks.queue_capacity = callbacks.at("queue_capacity").get<size_t>();
  c.callbacks.verify_tls = callbacks.at("verify_tls").get<bool>();
  c.callbacks.ca_file = callbacks.at("ca_file").get<std::string>();
  const json& accounts = j.at("accounts");
  c.accounts.reject_unlisted_keys = accounts.at("unlisted_keys") == "reject";
  c.accounts.default_profile = KeyProfileFromJson(accounts.at("default"));
  for (auto it = accounts.at("keys").begin(); it != accounts.at("keys").end(); ++it) {
    c.accounts.keys[it.key()] = KeyProfileFromJson(it.value());
  }
  for (const json& rule : j.at("scenarios").at("rules")) c.scenario_rules.push_back(ScenarioRuleFromJson(rule));
  c.chaos = j.at("scenarios").at("chaos").get<std::map<std::string, double>>();
  for (const std::string& name : ProviderNamesInCatalog()) {
    ProviderConfig& p = c.providers[name];
    p.section = j.at(name);
    p.models = ModelsFromJson(p.section.at("models"));
    p.section.erase("models");       // kept once, in `models`
    p.section.erase("rate_limits");  // kept once, in accounts.provider_limits
    c.accounts.provider_limits[InternProvider(name)] = RateLimitsFromJson(j.at(name).at("rate_limits"));
    p.callbacks = PolicyFromJson(callbacks.at(name), DefaultPolicy(name));
    p.upstream = j.at("proxy").at(name).get<std::string>();
  }
  const json& inputs = j.at("inputs");
  c.inputs.fetch = inputs.at("fetch") == "on";
  c.inputs.timeout_s = inputs.at("timeout_s").get<double>();
  c.inputs.max_redirects = inputs.at("max_redirects").get<int>();
  c.inputs.max_bytes = inputs.at("max_bytes").get<size_t>();
  c.inputs.verify_tls = c.callbacks.verify_tls;
  c.inputs.ca_file = c.callbacks.ca_file;
  c.schemas.dir = j.at("schemas").at("dir").get<std::string>();
  c.schemas.models = j.at("schemas").at("models").get<std::map<std::string, std::string>>();
  const json& proxy = j.at("proxy");
  c.proxy.allow_http = proxy.at("allow_http").get<bool>();
  c.proxy.capture_callbacks = proxy.at("capture_callbacks").get<bool>();
  c.proxy.timeout_ms = Ms(proxy.at("timeout_s").get<double>());
  c.proxy.body_limit_bytes = proxy.at("body_limit_bytes").get<size_t>();
  c.proxy.drift_report = proxy.at("drift_report").get<std::string>();
  c.proxy.replay_file = proxy.at("replay_file").get<std::string>();
  const json& state = j.at("state");
  c.state.dir = state.at("dir").get<std::string>();
  ParseFsyncPolicy(state.at("fsync").get<std::string>(), &c.state.fsync);  // the schema allows only the three
  c.state.compact_bytes = state.at("compact_bytes").get<uint64_t>();
  return c;
}

ojson ConfigToJson(const Config& c, bool mask_secrets) {
  auto secret = [mask_secrets](const std::string& s) {
    return s.empty() || !mask_secrets ? s : std::string("********");
  };
  auto limits = [&c](const std::string& name) {
    auto it = c.accounts.provider_limits.find(InternProvider(name));
    return it == c.accounts.provider_limits.end() ? ojson::object() : RateLimitsToJson(it->second);
  };
  ojson j;
  j["server"] = {{"host", c.server.host},
                 {"port", c.server.port},
                 {"public_url", c.server.public_url},
                 {"allowed_hosts", c.server.allowed_hosts},
                 {"threads", c.server.threads},
                 {"keep_alive_max_requests", c.server.keep_alive_max_requests},
                 {"keep_alive_timeout_s", c.server.keep_alive_timeout_s},
                 {"read_timeout_s", c.server.read_timeout_s},
                 {"write_timeout_s", c.server.write_timeout_s},
                 {"body_limit_bytes", c.server.body_limit_bytes}};
  j["clock"] = {{"mode", c.clock.mode == ClockMode::kVirtual ? "virtual" : "real"},
                {"time_scale", JsonNumber(c.clock.time_scale)},
                {"start_ms", c.clock.start_ms}};
  j["seed"] = c.seed;
  j["log_level"] = c.log_level;
  j["log_format"] = c.log_json ? "json" : "text";
  j["self_check"] = c.self_check;
  j["validation"] = {{"strict", c.validation.strict}, {"max_depth", c.validation.max_depth}};
  j["results"] = {{"ttl_s", c.result_ttl_s}};
  j["tasks"] = {{"max_stored", c.max_stored_tasks}, {"max_stored_bytes", c.max_stored_bytes}};
  ojson keys = ojson::object();
  for (const auto& [key, profile] : c.accounts.keys) keys[key] = KeyProfileToJson(profile, mask_secrets);
  j["accounts"] = {{"unlisted_keys", c.accounts.reject_unlisted_keys ? "reject" : "allow"},
                   {"default", KeyProfileToJson(c.accounts.default_profile, mask_secrets)},
                   {"keys", std::move(keys)}};
  ojson rules = ojson::array();
  for (const ScenarioRule& rule : c.scenario_rules) rules.push_back(ScenarioRuleToJson(rule));
  ojson chaos = ojson::object();
  for (const auto& [name, p] : c.chaos) chaos[name] = JsonNumber(p);
  j["scenarios"] = {{"rules", std::move(rules)}, {"chaos", std::move(chaos)}};
  j["admin"] = {{"token", secret(c.admin_token)}, {"protect_health", c.admin_protect_health}};
  j["journal"] = {{"capacity", c.journal.capacity},
                  {"max_bytes", c.journal.max_bytes},
                  {"max_body_bytes", c.journal.max_body_bytes},
                  {"file", c.journal.file}};
  j["callbacks"] = {{"workers", c.callbacks.workers},
                    {"queue_capacity", c.callbacks.queue_capacity},
                    {"verify_tls", c.callbacks.verify_tls},
                    {"ca_file", c.callbacks.ca_file}};
  for (const auto& [name, p] : c.providers) {
    j["callbacks"][name] = PolicyToJson(p.callbacks);
    ojson section = ojson::parse(p.section.dump());
    section["rate_limits"] = limits(name);
    section["models"] = ModelsToJson(p.models);
    j[name] = std::move(section);
  }
  j["inputs"] = {{"fetch", c.inputs.fetch ? "on" : "off"},
                 {"timeout_s", JsonNumber(c.inputs.timeout_s)},
                 {"max_redirects", c.inputs.max_redirects},
                 {"max_bytes", c.inputs.max_bytes}};
  j["schemas"] = {{"dir", c.schemas.dir}, {"models", c.schemas.models}};
  j["proxy"] = {{"allow_http", c.proxy.allow_http},
                {"capture_callbacks", c.proxy.capture_callbacks},
                {"timeout_s", JsonNumber(Seconds(c.proxy.timeout_ms))},
                {"body_limit_bytes", c.proxy.body_limit_bytes},
                {"drift_report", c.proxy.drift_report},
                {"replay_file", c.proxy.replay_file}};
  for (const auto& [name, p] : c.providers) j["proxy"][name] = p.upstream;
  j["state"] = {{"dir", c.state.dir}, {"fsync", FsyncPolicyName(c.state.fsync)}, {"compact_bytes", c.state.compact_bytes}};
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
  return Reapply(config, [&](ConfigDocument* doc) {
    for (const ConfigLayer& layer : layers) doc->MergeJson(layer.value, ConfigDocument::Origin{layer.source, 0, true, layer.text});
    return Status::Ok();
  });
}

StatusOr<Config> LoadConfig(const std::string& path) {
  ConfigDocument doc;
  auto embedded = FindResource("fixtures/default-config.yaml");
  if (!embedded) return Internal("the default config is not embedded in this build");
  IMAGINE_RETURN_IF_ERROR(doc.MergeYaml(*embedded, "default-config.yaml (embedded)"));
  for (const ProviderPlugin& plugin : ProviderPlugins()) {  // the defaults of providers a build adds
    if (!plugin.default_config.empty()) {
      IMAGINE_RETURN_IF_ERROR(doc.MergeYaml(plugin.default_config, "the " + plugin.name + " provider's default config"));
    }
  }
  if (!path.empty()) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return InvalidArgument("cannot read config file " + path);
    std::stringstream text;
    text << in.rdbuf();
    IMAGINE_RETURN_IF_ERROR(doc.MergeYaml(text.str(), path));
  }
  auto resolved = doc.Resolve();
  if (!resolved.ok()) return resolved.status();
  return ConfigFromJson(*resolved);
}

}  // namespace imagine
