#include "app/config.h"

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <functional>
#include <initializer_list>
#include <set>
#include <sstream>

#include "admin/admin_spec.h"
#include "engine/accounts_json.h"
#include "engine/scenarios_json.h"
#include "common/resources.h"
#include "spec/yaml_json.h"

namespace imagine {
namespace {

// Reads one YAML document into Config, remembering where each value came from.
class Reader {
 public:
  explicit Reader(std::string_view source) : source_(source) {}

  Status Error(const YAML::Node& node, const std::string& path, const std::string& problem) const {
    int line = node.Mark().line >= 0 ? node.Mark().line + 1 : 0;
    return InvalidArgument(source_ + ":" + std::to_string(line) + ": " + path + ": " + problem);
  }

  // Fails on keys outside `allowed`; an absent or null node is an empty map.
  Status ExpectMap(const YAML::Node& node, const std::string& path, std::initializer_list<const char*> allowed) const {
    if (!node || node.IsNull()) return Status::Ok();
    if (!node.IsMap()) return Error(node, path, "must be a mapping");
    std::set<std::string> seen;
    for (const auto& kv : node) {
      std::string key = kv.first.as<std::string>();
      // yaml-cpp keeps one of two equal keys silently; a config must not say two things.
      if (!seen.insert(key).second) return Error(kv.first, Join(path, key), "duplicate key");
      bool known = false;
      for (const char* a : allowed) known = known || key == a;
      if (!known) {
        std::string list;
        for (const char* a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
        return Error(kv.first, Join(path, key), "unknown key (expected one of: " + list + ")");
      }
    }
    return Status::Ok();
  }

  static std::string Join(const std::string& path, const std::string& key) { return path.empty() ? key : path + "." + key; }

  template <typename T>
  Status Scalar(const YAML::Node& parent, const char* key, const std::string& path, T* out, const char* what,
                const std::function<bool(const T&)>& ok = nullptr) const {
    if (!parent || !parent.IsMap()) return Status::Ok();
    YAML::Node node = parent[key];
    if (!node) return Status::Ok();
    std::string full = Join(path, key);
    T value{};
    if (!node.IsScalar() || !YAML::convert<T>::decode(node, value) || (ok && !ok(value))) {
      std::string got = node.IsScalar() ? "\"" + node.Scalar() + "\"" : "a non-scalar";
      return Error(node, full, std::string("must be ") + what + " (got " + got + ")");
    }
    *out = value;
    return Status::Ok();
  }

  template <typename E>
  Status Enum(const YAML::Node& parent, const char* key, const std::string& path, E* out,
              std::initializer_list<std::pair<const char*, E>> choices) const {
    std::string text;
    bool present = parent && parent.IsMap() && parent[key];
    IMAGINE_RETURN_IF_ERROR(Scalar<std::string>(parent, key, path, &text, "a string"));
    if (!present) return Status::Ok();
    std::string list;
    for (const auto& [name, value] : choices) {
      if (text == name) {
        *out = value;
        return Status::Ok();
      }
      list += (list.empty() ? "" : " | ") + std::string(name);
    }
    return Error(parent[key], Join(path, key), "must be one of " + list + " (got \"" + text + "\")");
  }

  // A YAML subtree validated against components/schemas/<schema> of the admin document
  // (defaults applied), as JSON.
  Status Json(const YAML::Node& node, const std::string& path, std::string_view schema, nlohmann::json* out) const {
    auto converted = spec::YamlToJson(node);
    if (!converted.ok()) return Error(node, path, converted.status().message());
    *out = std::move(converted).value();
    Status s = ValidateAdminJson(schema, *out);
    if (s.ok()) return s;
    const Violation& v = s.violation();
    std::string field = path;
    if (!v.pointer.empty()) {
      for (char& c : field = path + v.pointer) {
        if (c == '/') c = '.';
      }
    }
    return Error(node, field, s.message() + (v.value.empty() ? "" : " (got " + v.value + ")"));
  }

  // A [min, max] pair of seconds.
  Status Range(const YAML::Node& parent, const char* key, const std::string& path, double* lo, double* hi) const {
    if (!parent || !parent.IsMap() || !parent[key]) return Status::Ok();
    YAML::Node node = parent[key];
    double a = 0, b = 0;
    if (!node.IsSequence() || node.size() != 2 || !YAML::convert<double>::decode(node[0], a) ||
        !YAML::convert<double>::decode(node[1], b) || a < 0 || b < a) {
      return Error(node, Join(path, key), "must be [min, max] seconds with 0 <= min <= max");
    }
    *lo = a;
    *hi = b;
    return Status::Ok();
  }

 private:
  std::string source_;
};

const auto kPositive = [](const double& v) { return v > 0; };
const auto kNonNegative = [](const double& v) { return v >= 0; };

Status ReadModels(const Reader& r, const YAML::Node& node, const std::string& path,
                  std::map<std::string, ModelOptions>* models) {
  if (!node || node.IsNull()) return Status::Ok();
  if (!node.IsMap()) return r.Error(node, path, "must be a mapping of model name to options");
  for (const auto& kv : node) {
    const std::string name = kv.first.as<std::string>();
    const std::string mpath = path + "." + name;
    const YAML::Node m = kv.second;
    IMAGINE_RETURN_IF_ERROR(r.ExpectMap(m, mpath, {"output", "outputs", "price", "timing"}));
    ModelOptions& mo = (*models)[name];
    mo.name = name;
    IMAGINE_RETURN_IF_ERROR(r.Enum<MediaKind>(m, "output", mpath, &mo.output,
                                              {{"video", MediaKind::kVideo}, {"image", MediaKind::kImage}}));
    IMAGINE_RETURN_IF_ERROR(r.Scalar<int>(m, "outputs", mpath, &mo.outputs, "an integer from 1 to 16",
                                          [](const int& v) { return v >= 1 && v <= 16; }));
    IMAGINE_RETURN_IF_ERROR(r.Scalar<double>(m, "price", mpath, &mo.price, "a number >= 0", kNonNegative));
    const YAML::Node t = m && m.IsMap() ? m["timing"] : YAML::Node();
    const std::string tpath = mpath + ".timing";
    IMAGINE_RETURN_IF_ERROR(r.ExpectMap(t, tpath, {"waiting_s", "queuing_s", "total_s"}));
    StageTiming& st = mo.timing;
    IMAGINE_RETURN_IF_ERROR(r.Range(t, "waiting_s", tpath, &st.waiting_min_s, &st.waiting_max_s));
    IMAGINE_RETURN_IF_ERROR(r.Range(t, "queuing_s", tpath, &st.queuing_min_s, &st.queuing_max_s));
    IMAGINE_RETURN_IF_ERROR(r.Range(t, "total_s", tpath, &st.total_min_s, &st.total_max_s));
  }
  return Status::Ok();
}

Status ReadDocument(const Reader& r, const YAML::Node& root, Config* c) {
  IMAGINE_RETURN_IF_ERROR(r.ExpectMap(root, "", {"server", "clock", "seed", "log_level", "log_format", "self_check",
                                                  "validation", "results", "accounts", "scenarios", "admin", "journal",
                                                  "callbacks", "apikley", "evolink"}));
  if (!root || root.IsNull()) return Status::Ok();

  const YAML::Node server = root["server"];
  IMAGINE_RETURN_IF_ERROR(r.ExpectMap(server, "server", {"host", "port", "public_url", "threads", "keep_alive_max_requests",
                                                          "keep_alive_timeout_s", "read_timeout_s", "body_limit_bytes"}));
  ServerOptions& s = c->server;
  IMAGINE_RETURN_IF_ERROR(r.Scalar<std::string>(server, "host", "server", &s.host, "a host name or address",
                                                [](const std::string& v) { return !v.empty(); }));
  IMAGINE_RETURN_IF_ERROR(r.Scalar<int>(server, "port", "server", &s.port, "an integer from 0 to 65535",
                                        [](const int& v) { return v >= 0 && v <= 65535; }));
  IMAGINE_RETURN_IF_ERROR(r.Scalar<std::string>(server, "public_url", "server", &s.public_url, "a URL"));
  IMAGINE_RETURN_IF_ERROR(r.Scalar<int>(server, "threads", "server", &s.threads, "an integer from 1 to 4096",
                                        [](const int& v) { return v >= 1 && v <= 4096; }));
  IMAGINE_RETURN_IF_ERROR(r.Scalar<int>(server, "keep_alive_max_requests", "server", &s.keep_alive_max_requests,
                                        "an integer >= 1", [](const int& v) { return v >= 1; }));
  IMAGINE_RETURN_IF_ERROR(r.Scalar<int>(server, "keep_alive_timeout_s", "server", &s.keep_alive_timeout_s,
                                        "an integer >= 1", [](const int& v) { return v >= 1; }));
  IMAGINE_RETURN_IF_ERROR(r.Scalar<int>(server, "read_timeout_s", "server", &s.read_timeout_s, "an integer >= 1",
                                        [](const int& v) { return v >= 1; }));
  IMAGINE_RETURN_IF_ERROR(r.Scalar<size_t>(server, "body_limit_bytes", "server", &s.body_limit_bytes,
                                           "an integer >= 1024", [](const size_t& v) { return v >= 1024; }));

  const YAML::Node clock = root["clock"];
  IMAGINE_RETURN_IF_ERROR(r.ExpectMap(clock, "clock", {"mode", "time_scale", "start_ms"}));
  IMAGINE_RETURN_IF_ERROR(r.Enum<ClockMode>(clock, "mode", "clock", &c->clock.mode,
                                            {{"real", ClockMode::kReal}, {"virtual", ClockMode::kVirtual}}));
  IMAGINE_RETURN_IF_ERROR(r.Scalar<double>(clock, "time_scale", "clock", &c->clock.time_scale, "a number > 0", kPositive));
  IMAGINE_RETURN_IF_ERROR(r.Scalar<int64_t>(clock, "start_ms", "clock", &c->clock.start_ms, "epoch milliseconds >= 0",
                                            [](const int64_t& v) { return v >= 0; }));

  IMAGINE_RETURN_IF_ERROR(r.Scalar<uint64_t>(root, "seed", "", &c->seed, "a non-negative integer"));
  IMAGINE_RETURN_IF_ERROR(r.Scalar<std::string>(root, "log_level", "", &c->log_level, "debug | info | warn | error | off",
                                                [](const std::string& v) {
                                                  return v == "debug" || v == "info" || v == "warn" || v == "error" ||
                                                         v == "off";
                                                }));
  IMAGINE_RETURN_IF_ERROR(r.Scalar<bool>(root, "self_check", "", &c->self_check, "true or false"));
  const YAML::Node validation = root["validation"];
  IMAGINE_RETURN_IF_ERROR(r.ExpectMap(validation, "validation", {"strict", "max_depth"}));
  IMAGINE_RETURN_IF_ERROR(r.Scalar<bool>(validation, "strict", "validation", &c->validation.strict, "true or false"));
  IMAGINE_RETURN_IF_ERROR(r.Scalar<int>(validation, "max_depth", "validation", &c->validation.max_depth,
                                        "an integer from 1 to 1000", [](const int& v) { return v >= 1 && v <= 1000; }));
  const YAML::Node results = root["results"];
  IMAGINE_RETURN_IF_ERROR(r.ExpectMap(results, "results", {"ttl_s"}));
  IMAGINE_RETURN_IF_ERROR(r.Scalar<int64_t>(results, "ttl_s", "results", &c->result_ttl_s, "seconds >= 1",
                                            [](const int64_t& v) { return v >= 1; }));

  IMAGINE_RETURN_IF_ERROR(r.Enum<bool>(root, "log_format", "", &c->log_json, {{"text", false}, {"json", true}}));
  const YAML::Node admin = root["admin"];
  IMAGINE_RETURN_IF_ERROR(r.ExpectMap(admin, "admin", {"token"}));
  IMAGINE_RETURN_IF_ERROR(r.Scalar<std::string>(admin, "token", "admin", &c->admin_token, "a string"));
  const YAML::Node journal = root["journal"];
  IMAGINE_RETURN_IF_ERROR(r.ExpectMap(journal, "journal", {"capacity", "max_body_bytes", "file"}));
  IMAGINE_RETURN_IF_ERROR(r.Scalar<size_t>(journal, "capacity", "journal", &c->journal.capacity, "an integer >= 0"));
  IMAGINE_RETURN_IF_ERROR(r.Scalar<size_t>(journal, "max_body_bytes", "journal", &c->journal.max_body_bytes,
                                           "an integer >= 64", [](const size_t& v) { return v >= 64; }));
  IMAGINE_RETURN_IF_ERROR(r.Scalar<std::string>(journal, "file", "journal", &c->journal.file, "a file path"));
  const YAML::Node callbacks = root["callbacks"];
  IMAGINE_RETURN_IF_ERROR(r.ExpectMap(callbacks, "callbacks",
                                      {"workers", "queue_capacity", "verify_tls", "ca_file", "apikley", "evolink"}));
  IMAGINE_RETURN_IF_ERROR(r.Scalar<int>(callbacks, "workers", "callbacks", &c->callbacks.workers,
                                        "an integer from 1 to 256", [](const int& v) { return v >= 1 && v <= 256; }));
  IMAGINE_RETURN_IF_ERROR(r.Scalar<size_t>(callbacks, "queue_capacity", "callbacks", &c->callbacks.queue_capacity,
                                           "an integer >= 1", [](const size_t& v) { return v >= 1; }));
  IMAGINE_RETURN_IF_ERROR(r.Scalar<bool>(callbacks, "verify_tls", "callbacks", &c->callbacks.verify_tls, "true or false"));
  IMAGINE_RETURN_IF_ERROR(r.Scalar<std::string>(callbacks, "ca_file", "callbacks", &c->callbacks.ca_file, "a file path"));
  for (const char* provider : {"apikley", "evolink"}) {
    if (!callbacks || !callbacks.IsMap() || !callbacks[provider]) continue;
    const YAML::Node node = callbacks[provider];
    const std::string path = std::string("callbacks.") + provider;
    RetryPolicy& policy = std::string(provider) == "apikley" ? c->apikley_callbacks : c->evolink_callbacks;
    IMAGINE_RETURN_IF_ERROR(r.ExpectMap(node, path, {"timeout_s", "retries_s"}));
    double timeout = static_cast<double>(policy.timeout_ms) / 1000;
    IMAGINE_RETURN_IF_ERROR(r.Scalar<double>(node, "timeout_s", path, &timeout, "seconds > 0", kPositive));
    policy.timeout_ms = static_cast<int64_t>(timeout * 1000);
    if (node["retries_s"]) {
      const YAML::Node retries = node["retries_s"];
      if (!retries.IsSequence()) return r.Error(retries, path + ".retries_s", "must be a list of delays in seconds");
      policy.retry_delays_ms.clear();
      for (const auto& d : retries) {
        double s = -1;
        if (!YAML::convert<double>::decode(d, s) || s < 0) {
          return r.Error(d, path + ".retries_s", "each delay must be seconds >= 0");
        }
        policy.retry_delays_ms.push_back(static_cast<int64_t>(s * 1000));
      }
    }
  }

  const YAML::Node accounts = root["accounts"];
  IMAGINE_RETURN_IF_ERROR(r.ExpectMap(accounts, "accounts", {"unlisted_keys", "default", "keys"}));
  IMAGINE_RETURN_IF_ERROR(r.Enum<bool>(accounts, "unlisted_keys", "accounts", &c->accounts.reject_unlisted_keys,
                                       {{"allow", false}, {"reject", true}}));
  if (accounts && accounts.IsMap() && accounts["default"]) {
    nlohmann::json j;
    IMAGINE_RETURN_IF_ERROR(r.Json(accounts["default"], "accounts.default", "KeyProfile", &j));
    c->accounts.default_profile = KeyProfileFromJson(j);
  }
  if (accounts && accounts.IsMap() && accounts["keys"]) {
    const YAML::Node keys = accounts["keys"];
    if (!keys.IsMap()) return r.Error(keys, "accounts.keys", "must be a mapping of API key to profile");
    for (const auto& kv : keys) {
      const std::string key = kv.first.as<std::string>();
      nlohmann::json j;
      IMAGINE_RETURN_IF_ERROR(r.Json(kv.second, "accounts.keys." + key, "KeyProfile", &j));
      c->accounts.keys[key] = KeyProfileFromJson(j);
    }
  }

  const YAML::Node scenarios = root["scenarios"];
  IMAGINE_RETURN_IF_ERROR(r.ExpectMap(scenarios, "scenarios", {"rules", "chaos"}));
  if (scenarios && scenarios.IsMap() && scenarios["rules"]) {
    const YAML::Node rules = scenarios["rules"];
    if (!rules.IsSequence()) return r.Error(rules, "scenarios.rules", "must be a list of rules");
    c->scenario_rules.clear();
    for (size_t i = 0; i < rules.size(); ++i) {
      nlohmann::json j;
      IMAGINE_RETURN_IF_ERROR(r.Json(rules[i], "scenarios.rules[" + std::to_string(i) + "]", "ScenarioRule", &j));
      c->scenario_rules.push_back(ScenarioRuleFromJson(j));
    }
  }
  if (scenarios && scenarios.IsMap() && scenarios["chaos"]) {
    const YAML::Node chaos = scenarios["chaos"];
    if (!chaos.IsMap()) return r.Error(chaos, "scenarios.chaos", "must map scenario names to probabilities");
    c->chaos.clear();
    for (const auto& kv : chaos) {
      double p = -1;
      const std::string name = kv.first.as<std::string>();
      if (!YAML::convert<double>::decode(kv.second, p) || p < 0 || p > 1) {
        return r.Error(kv.second, "scenarios.chaos." + name, "must be a probability from 0 to 1");
      }
      c->chaos[name] = p;
    }
  }

  const YAML::Node ak = root["apikley"];
  IMAGINE_RETURN_IF_ERROR(r.ExpectMap(ak, "apikley", {"http_status", "unknown_task", "rate_limits", "models"}));
  IMAGINE_RETURN_IF_ERROR(r.Enum<ApikleyHttpStatus>(
      ak, "http_status", "apikley", &c->apikley.http_status,
      {{"always_200", ApikleyHttpStatus::kAlways200}, {"mirror_code", ApikleyHttpStatus::kMirrorCode}}));
  IMAGINE_RETURN_IF_ERROR(r.Enum<ApikleyUnknownTask>(
      ak, "unknown_task", "apikley", &c->apikley.unknown_task,
      {{"record_info_null", ApikleyUnknownTask::kRecordInfoNull}, {"not_found", ApikleyUnknownTask::kNotFound}}));
  if (ak && ak.IsMap()) IMAGINE_RETURN_IF_ERROR(ReadModels(r, ak["models"], "apikley.models", &c->apikley.models));
  if (ak && ak.IsMap() && ak["rate_limits"]) {
    nlohmann::json j;
    IMAGINE_RETURN_IF_ERROR(r.Json(ak["rate_limits"], "apikley.rate_limits", "RateLimits", &j));
    c->accounts.provider_limits[Provider::kApikley] = RateLimitsFromJson(j);
  }

  const YAML::Node ev = root["evolink"];
  IMAGINE_RETURN_IF_ERROR(r.ExpectMap(ev, "evolink", {"allow_private_callbacks", "rate_limits", "models"}));
  IMAGINE_RETURN_IF_ERROR(r.Scalar<bool>(ev, "allow_private_callbacks", "evolink", &c->evolink.allow_private_callbacks,
                                         "true or false"));
  if (ev && ev.IsMap()) IMAGINE_RETURN_IF_ERROR(ReadModels(r, ev["models"], "evolink.models", &c->evolink.models));
  if (ev && ev.IsMap() && ev["rate_limits"]) {
    nlohmann::json j;
    IMAGINE_RETURN_IF_ERROR(r.Json(ev["rate_limits"], "evolink.rate_limits", "RateLimits", &j));
    c->accounts.provider_limits[Provider::kEvolink] = RateLimitsFromJson(j);
  }
  return Status::Ok();
}

}  // namespace

Status ApplyConfigYaml(std::string_view text, std::string_view source, Config* config) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return InvalidArgument(std::string(source) + ":" + std::to_string(e.mark.line + 1) + ": invalid YAML: " + e.msg);
  }
  Reader reader(source);
  try {
    return ReadDocument(reader, root, config);
  } catch (const YAML::Exception& e) {
    return InvalidArgument(std::string(source) + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
}

nlohmann::ordered_json ConfigToJson(const Config& c) {
  auto secret = [](const std::string& s) { return s.empty() ? std::string() : std::string("********"); };
  auto policy = [](const RetryPolicy& p) {
    nlohmann::ordered_json retries = nlohmann::ordered_json::array();
    for (int64_t d : p.retry_delays_ms) retries.push_back(static_cast<double>(d) / 1000);
    return nlohmann::ordered_json{{"timeout_s", static_cast<double>(p.timeout_ms) / 1000}, {"retries_s", retries}};
  };
  auto models = [](const std::map<std::string, ModelOptions>& m) {
    nlohmann::ordered_json out = nlohmann::ordered_json::object();
    for (const auto& [name, mo] : m) {
      const StageTiming& t = mo.timing;
      out[name] = {{"output", mo.output == MediaKind::kVideo ? "video" : "image"},
                   {"outputs", mo.outputs},
                   {"price", mo.price},
                   {"timing",
                    {{"waiting_s", {t.waiting_min_s, t.waiting_max_s}},
                     {"queuing_s", {t.queuing_min_s, t.queuing_max_s}},
                     {"total_s", {t.total_min_s, t.total_max_s}}}}};
    }
    return out;
  };
  nlohmann::ordered_json j;
  j["server"] = {{"host", c.server.host},
                 {"port", c.server.port},
                 {"public_url", c.server.public_url},
                 {"threads", c.server.threads},
                 {"keep_alive_max_requests", c.server.keep_alive_max_requests},
                 {"keep_alive_timeout_s", c.server.keep_alive_timeout_s},
                 {"read_timeout_s", c.server.read_timeout_s},
                 {"body_limit_bytes", c.server.body_limit_bytes}};
  j["clock"] = {{"mode", c.clock.mode == ClockMode::kVirtual ? "virtual" : "real"},
                {"time_scale", c.clock.time_scale},
                {"start_ms", c.clock.start_ms}};
  j["seed"] = c.seed;
  j["log_level"] = c.log_level;
  j["log_format"] = c.log_json ? "json" : "text";
  j["self_check"] = c.self_check;
  j["validation"] = {{"strict", c.validation.strict}, {"max_depth", c.validation.max_depth}};
  j["results"] = {{"ttl_s", c.result_ttl_s}};
  nlohmann::ordered_json keys = nlohmann::ordered_json::object();
  for (const auto& [key, profile] : c.accounts.keys) keys[key] = KeyProfileToJson(profile);
  j["accounts"] = {{"unlisted_keys", c.accounts.reject_unlisted_keys ? "reject" : "allow"},
                   {"default", KeyProfileToJson(c.accounts.default_profile)},
                   {"keys", std::move(keys)}};
  nlohmann::ordered_json rules = nlohmann::ordered_json::array();
  for (const ScenarioRule& rule : c.scenario_rules) rules.push_back(ScenarioRuleToJson(rule));
  j["scenarios"] = {{"rules", std::move(rules)}, {"chaos", c.chaos}};
  j["admin"] = {{"token", secret(c.admin_token)}};
  j["journal"] = {{"capacity", c.journal.capacity}, {"max_body_bytes", c.journal.max_body_bytes}, {"file", c.journal.file}};
  j["callbacks"] = {{"workers", c.callbacks.workers},
                    {"queue_capacity", c.callbacks.queue_capacity},
                    {"verify_tls", c.callbacks.verify_tls},
                    {"ca_file", c.callbacks.ca_file},
                    {"apikley", policy(c.apikley_callbacks)},
                    {"evolink", policy(c.evolink_callbacks)}};
  auto limits = [&c](Provider p) {
    auto it = c.accounts.provider_limits.find(p);
    return it == c.accounts.provider_limits.end() ? nlohmann::ordered_json::object() : RateLimitsToJson(it->second);
  };
  j["apikley"] = {{"http_status", c.apikley.http_status == ApikleyHttpStatus::kMirrorCode ? "mirror_code" : "always_200"},
                  {"unknown_task", c.apikley.unknown_task == ApikleyUnknownTask::kNotFound ? "not_found" : "record_info_null"},
                  {"rate_limits", limits(Provider::kApikley)},
                  {"models", models(c.apikley.models)}};
  j["evolink"] = {{"allow_private_callbacks", c.evolink.allow_private_callbacks},
                  {"rate_limits", limits(Provider::kEvolink)},
                  {"models", models(c.evolink.models)}};
  return j;
}

StatusOr<Config> LoadConfig(const std::string& path) {
  Config config;
  auto embedded = FindResource("fixtures/default-config.yaml");
  if (!embedded) return Internal("the default config is not embedded in this build");
  IMAGINE_RETURN_IF_ERROR(ApplyConfigYaml(*embedded, "default-config.yaml (embedded)", &config));
  if (!path.empty()) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return InvalidArgument("cannot read config file " + path);
    std::stringstream text;
    text << in.rdbuf();
    IMAGINE_RETURN_IF_ERROR(ApplyConfigYaml(text.str(), path, &config));
  }
  return config;
}

}  // namespace imagine
