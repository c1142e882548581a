#include "runner/conform_catalog.h"

#include "common/resources.h"
#include "spec/yaml_json.h"

namespace imagine::conform {

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
  const nlohmann::json& root = *doc;
  if (!root.is_object() || !root.contains("scenarios") || !root["scenarios"].is_array()) {
    return InvalidArgument(std::string(source) + ": needs a 'scenarios' list");
  }
  std::vector<ConformScenario> out;
  for (const nlohmann::json& s : root["scenarios"]) {
    ConformScenario c;
    c.name = s.value("name", "");
    if (c.name.empty()) return InvalidArgument(std::string(source) + ": a scenario has no name");
    c.description = s.value("description", "");
    if (s.contains("providers")) c.providers = s["providers"].get<std::vector<std::string>>();
    if (s.contains("arm")) {
      c.profile = s["arm"].value("profile", nlohmann::json());
      c.rule = s["arm"].value("rule", nlohmann::json());
    }
    c.callback = s.value("callback", false);
    const std::string expect = s.value("expect", "success");
    if (expect == "success") {
      c.expect = Expect::kSuccess;
    } else if (expect == "failure") {
      c.expect = Expect::kFailure;
    } else if (expect == "gives_up") {
      c.expect = Expect::kGivesUp;
    } else {
      return InvalidArgument(std::string(source) + ": " + c.name + ": expect must be success, failure or gives_up");
    }
    out.push_back(std::move(c));
  }
  return out;
}

StatusOr<std::vector<ConformScenario>> EmbeddedCatalog() {
  auto text = FindResource("client-tests/scenarios.yaml");
  if (!text) return Internal("client-tests/scenarios.yaml is not embedded in this build");
  return ParseCatalog(*text, "client-tests/scenarios.yaml");
}

StatusOr<std::vector<ClientUnderTest>> ParseClients(std::string_view yaml, std::string_view source) {
  auto doc = spec::ParseYamlDocument(yaml, source);
  if (!doc.ok()) return doc.status();
  const nlohmann::json& root = *doc;
  const nlohmann::json& list = root.is_object() && root.contains("clients") ? root["clients"] : root;
  if (!list.is_array()) return InvalidArgument(std::string(source) + ": needs a list of clients");
  std::vector<ClientUnderTest> out;
  for (const nlohmann::json& c : list) {
    ClientUnderTest t;
    t.name = c.value("name", "");
    t.command = c.value("command", "");
    if (t.name.empty() || t.command.empty()) {
      return InvalidArgument(std::string(source) + ": every client needs a name and a command");
    }
    t.callback_receiver = c.value("callback_receiver", true);
    if (c.contains("expected_failures") && c["expected_failures"].is_object()) {
      for (const auto& [provider, checks] : c["expected_failures"].items()) {
        t.expected_failures[provider] = checks.is_null() ? std::vector<std::string>{} : checks.get<std::vector<std::string>>();
      }
    }
    out.push_back(std::move(t));
  }
  return out;
}

}  // namespace imagine::conform
