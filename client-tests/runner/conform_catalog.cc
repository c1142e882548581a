#include "runner/conform_catalog.h"

#include <algorithm>
#include <set>

#include "common/resources.h"
#include "spec/yaml_json.h"

namespace imagine::conform {
namespace {

using json = nlohmann::json;

bool KnownProvider(const std::string& p) { return p == "apikley" || p == "evolink" || p == "xai"; }

// Every key of `object` must be in `known`.
Status OnlyKeys(const json& object, const std::set<std::string>& known, const std::string& where) {
  for (const auto& [key, value] : object.items()) {
    if (known.count(key) == 0) return InvalidArgument(where + ": unknown field '" + key + "'");
  }
  return Status::Ok();
}

StatusOr<ConformScenario> ParseScenario(const json& s, const std::string& source) {
  if (!s.is_object()) return InvalidArgument(source + ": every scenario must be a mapping");
  ConformScenario c;
  c.name = s.value("name", "");
  if (c.name.empty()) return InvalidArgument(source + ": a scenario has no name");
  const std::string where = source + ": scenario " + c.name;
  if (Status st = OnlyKeys(s, {"name", "description", "providers", "arm", "callback", "duplicate_delivery", "expect",
                               "creates_task"},
                           where);
      !st.ok()) {
    return st;
  }
  c.description = s.value("description", "");
  if (s.contains("providers")) {
    c.providers = s["providers"].get<std::vector<std::string>>();
    for (const std::string& p : c.providers) {
      if (!KnownProvider(p)) return InvalidArgument(where + ": unknown provider '" + p + "'");
    }
  }
  if (s.contains("arm")) {
    if (Status st = OnlyKeys(s["arm"], {"profile", "rule"}, where + ": arm"); !st.ok()) return st;
    c.profile = s["arm"].value("profile", json());
    c.rule = s["arm"].value("rule", json());
  }
  c.callback = s.value("callback", false);
  c.duplicate_delivery = s.value("duplicate_delivery", false);
  c.creates_task = s.value("creates_task", true);
  const std::string expect = s.value("expect", "success");
  static const std::map<std::string, Expect> kExpect = {{"success", Expect::kSuccess},
                                                        {"failure", Expect::kFailure},
                                                        {"gives_up", Expect::kGivesUp},
                                                        {"expired_link", Expect::kExpiredLink}};
  auto it = kExpect.find(expect);
  if (it == kExpect.end()) {
    return InvalidArgument(where + ": expect must be success, failure, gives_up or expired_link");
  }
  c.expect = it->second;
  return c;
}

StatusOr<ClientUnderTest> ParseClient(const json& c, const std::string& source) {
  if (!c.is_object()) return InvalidArgument(source + ": every client must be a mapping");
  ClientUnderTest t;
  t.name = c.value("name", "");
  t.command = c.value("command", "");
  if (t.name.empty() || t.command.empty()) {
    return InvalidArgument(source + ": every client needs a name and a command");
  }
  const std::string where = source + ": client " + t.name;
  if (Status st = OnlyKeys(c, {"name", "command", "callback_receiver", "fault", "description", "no_passes",
                               "expected_failures"},
                           where);
      !st.ok()) {
    return st;
  }
  t.callback_receiver = c.value("callback_receiver", true);
  t.fault = c.value("fault", "");
  t.no_passes = c.value("no_passes", false);
  if (c.contains("expected_failures")) {
    if (!c["expected_failures"].is_object()) return InvalidArgument(where + ": expected_failures must map providers to checks");
    for (const auto& [provider, checks] : c["expected_failures"].items()) {
      if (!KnownProvider(provider)) {
        return InvalidArgument(where + ": expected_failures: unknown provider '" + provider + "'");
      }
      t.expected_failures[provider] = checks.is_null() ? std::vector<std::string>{} : checks.get<std::vector<std::string>>();
    }
  }
  return t;
}

// f(), with a field of the wrong type (nlohmann::json throws) turned into an error naming `source`.
template <typename F>
auto Guarded(F f, std::string_view source) -> decltype(f()) {
  try {
    return f();
  } catch (const json::exception& e) {
    return InvalidArgument(std::string(source) + ": " + e.what());
  }
}

}  // namespace

bool ClientUnderTest::Speaks(const std::string& provider) const {
  return expected_failures.empty() || expected_failures.count(provider) > 0;
}

bool ConformScenario::AppliesTo(const std::string& provider) const {
  if (providers.empty()) return true;
  for (const std::string& p : providers) {
    if (p == provider) return true;
  }
  return false;
}

StatusOr<std::vector<ConformScenario>> ParseCatalog(std::string_view yaml, std::string_view source) {
  auto doc = spec::ParseYamlDocument(yaml, source);
  if (!doc.ok()) return doc.status();
  const json& root = *doc;
  if (!root.is_object() || !root.contains("scenarios") || !root["scenarios"].is_array()) {
    return InvalidArgument(std::string(source) + ": needs a 'scenarios' list");
  }
  std::vector<ConformScenario> out;
  std::set<std::string> names;
  for (const json& s : root["scenarios"]) {
    StatusOr<ConformScenario> c = Guarded([&] { return ParseScenario(s, std::string(source)); }, source);
    if (!c.ok()) return c.status();
    if (!names.insert(c->name).second) return InvalidArgument(std::string(source) + ": scenario " + c->name + " twice");
    out.push_back(std::move(c).value());
  }
  return out;
}

StatusOr<std::vector<ConformScenario>> EmbeddedCatalog() {
  auto text = FindResource("client-tests/scenarios.yaml");
  if (!text) return Internal("client-tests/scenarios.yaml is not embedded in this build");
  return ParseCatalog(*text, "client-tests/scenarios.yaml");
}

std::vector<const ConformScenario*> ScenariosFor(const std::vector<ConformScenario>& catalog, const std::string& provider,
                                                 const std::vector<std::string>& only) {
  std::vector<const ConformScenario*> out;
  for (const ConformScenario& sc : catalog) {
    if (!sc.AppliesTo(provider)) continue;
    if (!only.empty() && std::find(only.begin(), only.end(), sc.name) == only.end()) continue;
    out.push_back(&sc);
  }
  return out;
}

StatusOr<std::vector<ClientUnderTest>> ParseClients(std::string_view yaml, std::string_view source) {
  auto doc = spec::ParseYamlDocument(yaml, source);
  if (!doc.ok()) return doc.status();
  const json& root = *doc;
  const json& list = root.is_object() && root.contains("clients") ? root["clients"] : root;
  if (!list.is_array()) return InvalidArgument(std::string(source) + ": needs a list of clients");
  std::vector<ClientUnderTest> out;
  for (const json& c : list) {
    StatusOr<ClientUnderTest> t = Guarded([&] { return ParseClient(c, std::string(source)); }, source);
    if (!t.ok()) return t.status();
    out.push_back(std::move(t).value());
  }
  return out;
}

}  // namespace imagine::conform
