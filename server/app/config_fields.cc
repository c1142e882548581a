#include "app/config_fields.h"

#include <cmath>
#include <type_traits>

#include "common/json_number.h"
#include "engine/accounts_json.h"
#include "engine/scenarios_json.h"

namespace imagine {
namespace {

using json = nlohmann::json;
using ojson = nlohmann::ordered_json;

template <typename T>
ojson Value(const T& v) {
  if constexpr (std::is_floating_point_v<T>) {
    return JsonNumber(v);  // 1, not 1.0
  } else {
    return ojson(v);
  }
}

// A key that is a member of the Config itself.
template <typename T>
ConfigField Top(const char* pointer, T Config::*member) {
  return {pointer, [member](const json& v, Config& c) { c.*member = v.get<T>(); },
          [member](const Config& c, bool) { return Value(c.*member); }};
}

// A key that is a member of one of the Config's option structs.
template <typename Part, typename T>
ConfigField Member(const char* pointer, Part Config::*part, T Part::*member) {
  return {pointer, [part, member](const json& v, Config& c) { (c.*part).*member = v.get<T>(); },
          [part, member](const Config& c, bool) { return Value((c.*part).*member); }};
}

// A string key with two values, held as a bool (true = `yes`).
template <typename Part>
ConfigField Choice(const char* pointer, Part Config::*part, bool Part::*member, const char* yes, const char* no) {
  return {pointer, [=](const json& v, Config& c) { (c.*part).*member = v == yes; },
          [=](const Config& c, bool) { return ojson((c.*part).*member ? yes : no); }};
}

int64_t Ms(double seconds) { return static_cast<int64_t>(std::llround(seconds * 1000.0)); }

std::vector<ConfigField> Rows() {
  return {
      Member("/server/host", &Config::server, &ServerOptions::host),
      Member("/server/port", &Config::server, &ServerOptions::port),
      {"/server/public_url",
       [](const json& v, Config& c) {
         c.server.public_url = v.get<std::string>();
         while (!c.server.public_url.empty() && c.server.public_url.back() == '/') c.server.public_url.pop_back();
       },
       [](const Config& c, bool) { return ojson(c.server.public_url); }},
      Member("/server/allowed_hosts", &Config::server, &ServerOptions::allowed_hosts),
      Member("/server/threads", &Config::server, &ServerOptions::threads),
      Member("/server/keep_alive_max_requests", &Config::server, &ServerOptions::keep_alive_max_requests),
      Member("/server/keep_alive_timeout_s", &Config::server, &ServerOptions::keep_alive_timeout_s),
      Member("/server/read_timeout_s", &Config::server, &ServerOptions::read_timeout_s),
      Member("/server/write_timeout_s", &Config::server, &ServerOptions::write_timeout_s),
      Member("/server/body_limit_bytes", &Config::server, &ServerOptions::body_limit_bytes),
      Member("/server/listen", &Config::server, &ServerOptions::listen),
      {"/clock/mode", [](const json& v, Config& c) { c.clock.mode = v == "virtual" ? ClockMode::kVirtual : ClockMode::kReal; },
       [](const Config& c, bool) { return ojson(c.clock.mode == ClockMode::kVirtual ? "virtual" : "real"); }},
      Member("/clock/time_scale", &Config::clock, &ClockOptions::time_scale),
      Member("/clock/start_ms", &Config::clock, &ClockOptions::start_ms),
      Top("/seed", &Config::seed),
      Top("/log_level", &Config::log_level),
      {"/log_format", [](const json& v, Config& c) { c.log_json = v == "json"; },
       [](const Config& c, bool) { return ojson(c.log_json ? "json" : "text"); }},
      Top("/self_check", &Config::self_check),
      Member("/validation/strict", &Config::validation, &RequestValidation::strict),
      Member("/validation/max_depth", &Config::validation, &RequestValidation::max_depth),
      Top("/results/ttl_s", &Config::result_ttl_s),
      Top("/tasks/max_stored", &Config::max_stored_tasks),
      Top("/tasks/max_stored_bytes", &Config::max_stored_bytes),
      Choice("/accounts/unlisted_keys", &Config::accounts, &AccountOptions::reject_unlisted_keys, "reject", "allow"),
      {"/accounts/default",
       [](const json& v, Config& c) { c.accounts.default_profile = KeyProfileFromJson(v); },
       [](const Config& c, bool mask) { return KeyProfileToJson(c.accounts.default_profile, mask); }},
      {"/accounts/keys",
       [](const json& v, Config& c) {
         for (auto it = v.begin(); it != v.end(); ++it) c.accounts.keys[it.key()] = KeyProfileFromJson(it.value());
       },
       [](const Config& c, bool mask) {
         ojson keys = ojson::object();
         for (const auto& [key, profile] : c.accounts.keys) keys[key] = KeyProfileToJson(profile, mask);
         return keys;
       }},
      {"/scenarios/rules",
       [](const json& v, Config& c) {
         for (const json& rule : v) c.scenario_rules.push_back(ScenarioRuleFromJson(rule));
       },
       [](const Config& c, bool) {
         ojson rules = ojson::array();
         for (const ScenarioRule& rule : c.scenario_rules) rules.push_back(ScenarioRuleToJson(rule));
         return rules;
       }},
      {"/scenarios/outages",
       [](const json& v, Config& c) {
         for (const json& o : v) {
           c.outages.push_back({o.at("provider").get<std::string>(), o.value("kind", ""), o.value("for_s", 0.0),
                                o.value("times", -1)});
         }
       },
       [](const Config& c, bool) {
         ojson outages = ojson::array();
         for (const OutageConfig& outage : c.outages) {
           ojson o = {{"provider", outage.provider}, {"kind", outage.kind.empty() ? "maintenance" : outage.kind}};
           if (outage.for_s > 0) o["for_s"] = JsonNumber(outage.for_s);
           if (outage.times > 0) o["times"] = outage.times;
           outages.push_back(std::move(o));
         }
         return outages;
       }},
      {"/scenarios/chaos", [](const json& v, Config& c) { c.chaos = v.get<std::map<std::string, double>>(); },
       [](const Config& c, bool) {
         ojson chaos = ojson::object();
         for (const auto& [name, p] : c.chaos) chaos[name] = JsonNumber(p);
         return chaos;
       }},
      {"/admin/token", [](const json& v, Config& c) { c.admin_token = v.get<std::string>(); },
       [](const Config& c, bool mask) { return ojson(c.admin_token.empty() || !mask ? c.admin_token : "********"); }},
      Top("/admin/protect_health", &Config::admin_protect_health),
      Member("/journal/capacity", &Config::journal, &JournalOptions::capacity),
      Member("/journal/max_bytes", &Config::journal, &JournalOptions::max_bytes),
      Member("/journal/max_body_bytes", &Config::journal, &JournalOptions::max_body_bytes),
      Member("/journal/file", &Config::journal, &JournalOptions::file),
      Member("/callbacks/workers", &Config::callbacks, &CallbackOptions::workers),
      Member("/callbacks/queue_capacity", &Config::callbacks, &CallbackOptions::queue_capacity),
      Member("/callbacks/verify_tls", &Config::callbacks, &CallbackOptions::verify_tls),
      Member("/callbacks/ca_file", &Config::callbacks, &CallbackOptions::ca_file),
      {"/inputs/fetch", [](const json& v, Config& c) { c.inputs.fetch = v == "on"; },
       [](const Config& c, bool) { return ojson(c.inputs.fetch ? "on" : "off"); }},
      Member("/inputs/timeout_s", &Config::inputs, &ImageFetchOptions::timeout_s),
      Member("/inputs/max_redirects", &Config::inputs, &ImageFetchOptions::max_redirects),
      Member("/inputs/max_bytes", &Config::inputs, &ImageFetchOptions::max_bytes),
      Member("/schemas/dir", &Config::schemas, &SchemaSources::dir),
      Member("/schemas/models", &Config::schemas, &SchemaSources::models),
      Member("/proxy/allow_http", &Config::proxy, &ProxyOptions::allow_http),
      Member("/proxy/capture_callbacks", &Config::proxy, &ProxyOptions::capture_callbacks),
      {"/proxy/timeout_s", [](const json& v, Config& c) { c.proxy.timeout_ms = Ms(v.get<double>()); },
       [](const Config& c, bool) { return JsonNumber(static_cast<double>(c.proxy.timeout_ms) / 1000.0); }},
      Member("/proxy/body_limit_bytes", &Config::proxy, &ProxyOptions::body_limit_bytes),
      Member("/proxy/drift_report", &Config::proxy, &ProxyOptions::drift_report),
      Member("/proxy/replay_file", &Config::proxy, &ProxyOptions::replay_file),
      Member("/state/dir", &Config::state, &StateOptions::dir),
      {"/state/fsync",
       [](const json& v, Config& c) { ParseFsyncPolicy(v.get<std::string>(), &c.state.fsync); },  // the schema allows only the three
       [](const Config& c, bool) { return ojson(FsyncPolicyName(c.state.fsync)); }},
      Member("/state/compact_bytes", &Config::state, &StateOptions::compact_bytes),
  };
}

}  // namespace

const std::vector<ConfigField>& ConfigFields() {
  static const std::vector<ConfigField> kFields = Rows();
  return kFields;
}

}  // namespace imagine
