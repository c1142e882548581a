#include "engine/scenarios.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "common/resources.h"
#include "engine/random.h"
#include "spec/embedded_documents.h"

namespace imagine {
namespace {

std::string Trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t");
  if (b == std::string_view::npos) return "";
  size_t e = s.find_last_not_of(" \t");
  return std::string(s.substr(b, e - b + 1));
}

bool ParseInt(const std::string& s, int lo, int hi, int* out) {
  if (s.empty()) return false;
  char* end = nullptr;
  long v = std::strtol(s.c_str(), &end, 10);
  if (*end != '\0' || v < lo || v > hi) return false;
  *out = static_cast<int>(v);
  return true;
}

bool ParseBool(const std::string& s, bool* out) {
  if (s == "true" || s == "1" || s.empty()) {
    *out = true;
    return true;
  }
  if (s == "false" || s == "0") {
    *out = false;
    return true;
  }
  return false;
}

// The ScenarioStage bit of a catalog's `acts_at` word; 0 when it names no stage.
unsigned StageNamed(std::string_view stage) {
  if (stage == "create") return kStageCreate;
  if (stage == "query") return kStageQuery;
  if (stage == "lifecycle") return kStageLifecycle;
  if (stage == "download") return kStageDownload;
  return 0;
}

Status BadParam(const std::string& scenario, const std::string& param, const std::string& value, const char* want) {
  return InvalidArgument("scenario " + scenario + ": parameter " + param + " must be " + want + " (got \"" + value +
                         "\")");
}

// Decodes parameters into effects; unknown names and bad values are errors.
StatusOr<ScenarioEffects> Decode(const std::string& scenario, const std::map<std::string, std::string>& params) {
  ScenarioEffects e;
  for (const auto& [k, v] : params) {
    if (k == "respond") {
      Code c;
      if (!CodeFromName(v, &c)) return BadParam(scenario, k, v, "a neutral error code such as unavailable");
      e.respond = c;
    } else if (k == "message") {
      e.message = v;
    } else if (k == "fail") {
      if (v.empty()) return BadParam(scenario, k, v, "a failure reason");
      e.fail_reason = v;
    } else if (k == "fail_at") {
      if (v == "waiting") {
        e.fail_at = TaskState::kWaiting;
      } else if (v == "queuing") {
        e.fail_at = TaskState::kQueuing;
      } else if (v == "generating") {
        e.fail_at = TaskState::kGenerating;
      } else {
        return BadParam(scenario, k, v, "waiting, queuing or generating");
      }
    } else if (k == "fail_code") {
      e.fail_code = v;
    } else if (k == "fail_message") {
      e.fail_message = v;
    } else if (k == "factor") {
      char* end = nullptr;
      double f = std::strtod(v.c_str(), &end);
      if (v.empty() || *end != '\0' || !(f > 0) || f > 1000) return BadParam(scenario, k, v, "a number in (0, 1000]");
      e.factor = f;
    } else if (k == "stuck") {
      if (!ParseBool(v, &e.stuck)) return BadParam(scenario, k, v, "true or false");
    } else if (k == "progress") {
      e.progress.clear();
      size_t i = 0;
      while (i <= v.size()) {
        size_t j = v.find(',', i);
        if (j == std::string::npos) j = v.size();
        int p;
        if (!ParseInt(Trim(std::string_view(v).substr(i, j - i)), 0, 100, &p)) {
          return BadParam(scenario, k, v, "comma-separated integers from 0 to 100");
        }
        e.progress.push_back(p);
        i = j + 1;
      }
    } else if (k == "polls") {
      if (!ParseInt(v, 0, 1000000, &e.not_ready_polls)) return BadParam(scenario, k, v, "an integer >= 0");
    } else if (k == "expire_results") {
      if (!ParseBool(v, &e.expire_results)) return BadParam(scenario, k, v, "true or false");
    } else if (k == "times") {
      int ignored;
      if (!ParseInt(v, 1, 1000000000, &ignored)) return BadParam(scenario, k, v, "an integer >= 1");
    } else {
      return InvalidArgument("scenario " + scenario + ": unknown parameter '" + k +
                             "' (known: respond, message, fail, fail_at, fail_code, fail_message, factor, stuck, "
                             "progress, polls, expire_results, times)");
    }
  }
  return e;
}

}  // namespace

StatusOr<std::vector<ScenarioDef>> Scenarios::ParseCatalog(std::string_view yaml, std::string_view source) {
  std::vector<ScenarioDef> out;
  auto where = [&](const YAML::Node& n) { return std::string(source) + ":" + std::to_string(n.Mark().line + 1) + ": "; };
  try {
    YAML::Node root = YAML::Load(std::string(yaml));
    YAML::Node list = root["scenarios"];
    if (!list || !list.IsMap()) return InvalidArgument(std::string(source) + ": needs a 'scenarios' mapping");
    for (const auto& kv : list) {
      ScenarioDef def;
      def.name = kv.first.as<std::string>();
      const YAML::Node& s = kv.second;
      if (!s.IsMap()) return InvalidArgument(where(kv.second) + def.name + ": must be a mapping");
      for (const auto& field : s) {
        std::string f = field.first.as<std::string>();
        if (f != "description" && f != "acts_at" && f != "params") {
          return InvalidArgument(where(field.first) + def.name + "." + f + ": unknown key (expected description, acts_at, params)");
        }
      }
      def.description = s["description"] ? s["description"].as<std::string>() : "";
      YAML::Node acts = s["acts_at"];
      if (!acts || !acts.IsSequence() || acts.size() == 0) {
        return InvalidArgument(where(s) + def.name + ".acts_at: must list create, query, lifecycle and/or download");
      }
      for (const auto& a : acts) {
        std::string stage = a.as<std::string>();
        const unsigned bit = StageNamed(stage);
        if (bit == 0) return InvalidArgument(where(a) + def.name + ".acts_at: unknown stage '" + stage + "'");
        def.stages |= bit;
      }
      if (YAML::Node params = s["params"]) {
        if (!params.IsMap()) return InvalidArgument(where(params) + def.name + ".params: must be a mapping");
        for (const auto& p : params) def.params[p.first.as<std::string>()] = p.second.as<std::string>();
      }
      auto decoded = Decode(def.name, def.params);
      if (!decoded.ok()) return InvalidArgument(where(s) + decoded.status().message());
      out.push_back(std::move(def));
    }
  } catch (const YAML::Exception& e) {
    return InvalidArgument(std::string(source) + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  return out;
}

namespace {

// A parameter's value as ParseCatalog reads it from the YAML (its text); nullopt for a value
// whose text the JSON form does not keep (a float, null, a list or a mapping).
std::optional<std::string> ParamText(const nlohmann::ordered_json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean() || v.is_number_integer()) return v.dump();  // true, 10, -3
  return std::nullopt;
}

// The catalog from its pre-parsed JSON form, checked as ParseCatalog checks the YAML; nullopt
// when ParseCatalog would refuse it or might read it differently (it then says why, with a line).
std::optional<std::vector<ScenarioDef>> CatalogFromJson(const nlohmann::ordered_json& root) {
  if (!root.is_object()) return std::nullopt;
  auto list = root.find("scenarios");
  if (list == root.end() || !list->is_object()) return std::nullopt;
  std::vector<ScenarioDef> out;
  for (const auto& [name, s] : list->items()) {
    ScenarioDef def;
    def.name = name;
    if (!s.is_object()) return std::nullopt;
    for (const auto& [field, value] : s.items()) {
      if (field != "description" && field != "acts_at" && field != "params") return std::nullopt;
    }
    if (auto d = s.find("description"); d != s.end()) {
      if (!d->is_string()) return std::nullopt;
      def.description = d->get<std::string>();
    }
    auto acts = s.find("acts_at");
    if (acts == s.end() || !acts->is_array() || acts->empty()) return std::nullopt;
    for (const auto& a : *acts) {
      if (!a.is_string()) return std::nullopt;
      const unsigned bit = StageNamed(a.get_ref<const std::string&>());
      if (bit == 0) return std::nullopt;
      def.stages |= bit;
    }
    if (auto params = s.find("params"); params != s.end()) {
      if (!params->is_object()) return std::nullopt;
      for (const auto& [key, value] : params->items()) {
        std::optional<std::string> text = ParamText(value);
        if (!text) return std::nullopt;
        def.params[key] = std::move(*text);
      }
    }
    if (!Decode(def.name, def.params).ok()) return std::nullopt;
    out.push_back(std::move(def));
  }
  return out;
}

}  // namespace

StatusOr<std::vector<ScenarioDef>> Scenarios::EmbeddedCatalog() {
  constexpr const char* kName = "fixtures/scenarios.yaml";
  constexpr const char* kSource = "scenarios.yaml (embedded)";
  auto text = FindResource(kName);
  if (!text) return Internal(std::string(kName) + " is not embedded in this build");
  auto parsed = ParseEmbeddedOrderedDocument(kName);
  if (parsed.ok()) {
    if (std::optional<std::vector<ScenarioDef>> catalog = CatalogFromJson(*parsed)) return std::move(*catalog);
  }
  return ParseCatalog(*text, kSource);
}

Scenarios::Scenarios(std::vector<ScenarioDef> catalog, uint64_t seed) : catalog_(std::move(catalog)), seed_(seed) {}

StatusOr<ArmedScenario> Scenarios::Arm(std::string_view spec, std::string_view trigger) const {
  std::vector<std::string> parts;
  size_t i = 0;
  while (i <= spec.size()) {
    size_t j = spec.find(';', i);
    if (j == std::string_view::npos) j = spec.size();
    std::string part = Trim(spec.substr(i, j - i));
    if (!part.empty()) parts.push_back(part);
    i = j + 1;
  }
  if (parts.empty()) return InvalidArgument("empty scenario");
  const ScenarioDef* def = nullptr;
  for (const ScenarioDef& d : catalog_) {
    if (d.name == parts[0]) def = &d;
  }
  if (def == nullptr) {
    return InvalidArgument("unknown scenario '" + parts[0] + "' (GET /_emulator/scenarios lists them)");
  }
  std::map<std::string, std::string> params = def->params;
  for (size_t k = 1; k < parts.size(); ++k) {
    size_t eq = parts[k].find('=');
    std::string name = Trim(parts[k].substr(0, eq));
    std::string value = eq == std::string::npos ? "" : Trim(parts[k].substr(eq + 1));
    params[name] = value;
  }
  auto effects = Decode(def->name, params);
  if (!effects.ok()) return effects.status();
  ArmedScenario armed;
  armed.name = def->name;
  armed.stages = def->stages;
  armed.trigger = std::string(trigger);
  armed.effects = std::move(effects).value();
  return armed;
}

StatusOr<ScenarioRule> Scenarios::Prepare(ScenarioRule rule, int64_t now_ms) const {
  auto armed = Arm(rule.scenario, "rule");
  if (!armed.ok()) {
    return Status(Code::kInvalidArgument, armed.status().message(), Violation{"/scenario", "scenario", ""});
  }
  // "times=N" inside the scenario spec limits the rule like the `times` field.
  if (rule.times < 0) {
    size_t at = rule.scenario.find("times=");
    if (at != std::string::npos) rule.times = std::atoi(rule.scenario.c_str() + at + 6);
    if (rule.times == 0) rule.times = -1;
  }
  if (rule.for_s > 0) {  // rounded up: a rule given any time at all is listed when added
    rule.until_ms = now_ms + std::max<int64_t>(1, static_cast<int64_t>(std::ceil(std::min(rule.for_s, 1e12) * 1000.0)));
  }
  rule.reserved = 0;
  return rule;
}

void Scenarios::PruneLocked(int64_t now_ms) {
  rules_.erase(std::remove_if(rules_.begin(), rules_.end(), [&](const ScenarioRule& r) { return !r.ActiveAt(now_ms); }),
               rules_.end());
}

StatusOr<ScenarioRule> Scenarios::AddRule(ScenarioRule rule, int64_t now_ms) {
  auto prepared = Prepare(std::move(rule), now_ms);
  if (!prepared.ok()) return prepared;
  std::lock_guard<std::mutex> lock(mu_);
  PruneLocked(now_ms);
  prepared->id = next_rule_id_++;
  rules_.push_back(*prepared);
  return prepared;
}

StatusOr<Scenarios::Replaced> Scenarios::ReplaceOutage(ScenarioRule rule, int64_t now_ms) {
  auto prepared = Prepare(std::move(rule), now_ms);
  if (!prepared.ok()) return prepared.status();
  Replaced done;
  std::lock_guard<std::mutex> lock(mu_);
  PruneLocked(now_ms);
  auto is_replaced = [&](const ScenarioRule& r) {
    return !r.outage.empty() && r.provider && prepared->provider && *r.provider == *prepared->provider;
  };
  for (const ScenarioRule& r : rules_) {
    if (is_replaced(r)) done.removed.push_back(r);
  }
  rules_.erase(std::remove_if(rules_.begin(), rules_.end(), is_replaced), rules_.end());
  prepared->id = next_rule_id_++;
  rules_.push_back(*prepared);
  done.added = std::move(prepared).value();
  return done;
}

std::vector<ScenarioRule> Scenarios::rules() const {
  std::lock_guard<std::mutex> lock(mu_);
  return rules_;
}

std::vector<ScenarioRule> Scenarios::ActiveRules(int64_t now_ms) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<ScenarioRule> active;
  for (const ScenarioRule& r : rules_) {
    if (r.ActiveAt(now_ms)) active.push_back(r);
  }
  return active;
}

std::vector<ScenarioRule> Scenarios::RemoveOutages(std::optional<Provider> provider) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<ScenarioRule> removed;
  auto is_outage = [&](const ScenarioRule& r) {
    return !r.outage.empty() && (!provider || (r.provider && *r.provider == *provider));
  };
  for (const ScenarioRule& r : rules_) {
    if (is_outage(r)) removed.push_back(r);
  }
  rules_.erase(std::remove_if(rules_.begin(), rules_.end(), is_outage), rules_.end());
  return removed;
}

bool Scenarios::RemoveRule(uint64_t id) {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto it = rules_.begin(); it != rules_.end(); ++it) {
    if (it->id == id) {
      rules_.erase(it);
      return true;
    }
  }
  return false;
}

void Scenarios::ClearRules() {
  std::lock_guard<std::mutex> lock(mu_);
  rules_.clear();
}

std::vector<ScenarioRule> Scenarios::TakeAllRules() {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<ScenarioRule> taken;
  taken.swap(rules_);
  return taken;
}

Status Scenarios::SetChaos(std::map<std::string, double> chaos) {
  std::vector<std::pair<std::string, double>> list;
  for (const auto& [name, p] : chaos) {
    IMAGINE_RETURN_IF_ERROR(Arm(name, "chaos").status());
    if (!(p >= 0 && p <= 1)) return InvalidArgument("chaos." + name + ": probability must be within [0, 1]");
    list.emplace_back(name, p);
  }
  std::lock_guard<std::mutex> lock(mu_);
  chaos_ = std::move(list);
  return Status::Ok();
}

std::map<std::string, double> Scenarios::chaos() const {
  std::lock_guard<std::mutex> lock(mu_);
  return {chaos_.begin(), chaos_.end()};
}

bool Scenarios::ActsAt(unsigned stages, Endpoint endpoint) const {
  if (endpoint == Endpoint::kQuery) return (stages & kStageQuery) != 0;
  return true;  // at create: create-stage scenarios answer; the others shape the new task
}

StatusOr<std::optional<ArmedScenario>> Scenarios::Select(const ScenarioContext& ctx) {
  if (!ctx.header.empty()) {
    auto armed = Arm(ctx.header, "header");
    if (!armed.ok()) return Status(Code::kInvalidArgument, "X-Emulator-Scenario: " + armed.status().message(),
                                   Violation{"", "scenario_header", ""});
    if (ActsAt(armed->stages, ctx.endpoint)) return std::optional<ArmedScenario>(std::move(armed).value());
    return std::optional<ArmedScenario>();
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    PruneLocked(ctx.now_ms);
    for (auto it = rules_.begin(); it != rules_.end(); ++it) {
      ScenarioRule& r = *it;
      if (r.times > 0 && r.reserved >= r.times) continue;  // every match left is taken
      if (r.provider && *r.provider != ctx.provider) continue;
      if (r.endpoint && *r.endpoint != ctx.endpoint) continue;
      if (!r.key.empty() && r.key != ctx.key) continue;
      if (!r.model.empty() && r.model != ctx.model) continue;
      if (!r.prompt_contains.empty() && ctx.prompt.find(r.prompt_contains) == std::string_view::npos) continue;
      auto armed = Arm(r.scenario, "rule " + std::to_string(r.id));
      if (!armed.ok() || !ActsAt(armed->stages, ctx.endpoint)) continue;
      armed->rule_id = r.id;
      if (r.times > 0) ++r.reserved;
      return std::optional<ArmedScenario>(std::move(armed).value());
    }
  }
  if (!ctx.profile_default.empty()) {
    auto armed = Arm(ctx.profile_default, "profile");
    if (armed.ok() && ActsAt(armed->stages, ctx.endpoint)) return std::optional<ArmedScenario>(std::move(armed).value());
  }
  if (ctx.endpoint == Endpoint::kCreate) {
    std::lock_guard<std::mutex> lock(mu_);
    if (!chaos_.empty()) {
      Random random = Random::Stream(seed_ ^ 0xc4a05ULL, chaos_draws_);
      for (const auto& [name, p] : chaos_) {
        if (random.Uniform(0, 1) < p) {
          auto armed = Arm(name, "chaos");
          if (!armed.ok()) continue;
          armed->from_chaos = true;
          return std::optional<ArmedScenario>(std::move(armed).value());
        }
      }
      ++chaos_draws_;  // a miss is final: this create was not picked
    }
  }
  return std::optional<ArmedScenario>();
}

void Scenarios::Commit(const ArmedScenario& armed) {
  std::lock_guard<std::mutex> lock(mu_);
  if (armed.from_chaos) ++chaos_draws_;
  if (armed.rule_id == 0) return;
  for (auto it = rules_.begin(); it != rules_.end(); ++it) {
    if (it->id != armed.rule_id) continue;
    if (it->reserved > 0) --it->reserved;  // none when replayed from the state log
    if (it->times > 0 && --it->times == 0) rules_.erase(it);
    return;
  }
}

void Scenarios::Release(const ArmedScenario& armed) {
  if (armed.rule_id == 0) return;
  std::lock_guard<std::mutex> lock(mu_);
  for (ScenarioRule& r : rules_) {
    if (r.id == armed.rule_id && r.reserved > 0) --r.reserved;
  }
}

int ScriptedProgress(const Timeline& timeline, const std::vector<int>& script, int64_t now_ms) {
  if (script.empty() || timeline.StateAt(now_ms) != TaskState::kGenerating || timeline.finished_ms == kNever) {
    return timeline.ProgressAt(now_ms);
  }
  int64_t span = std::max<int64_t>(1, timeline.finished_ms - timeline.generating_ms);
  size_t index = static_cast<size_t>((now_ms - timeline.generating_ms) * static_cast<int64_t>(script.size()) / span);
  return script[std::min(index, script.size() - 1)];
}

}  // namespace imagine
