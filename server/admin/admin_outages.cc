// The control API's outages (/_emulator/outages): one provider taken down on purpose while
// the others work. Each outage is a provider-wide scenario rule (engine/outages.h) set and
// ended through the engine, so the state directory keeps it like any rule.
#include "admin/admin_api.h"
#include "engine/outages.h"
#include "engine/scenarios_json.h"
#include "providers/provider_catalog.h"

namespace imagine {
namespace {

std::string ProviderList() {
  std::string names;
  for (const std::string& name : ProviderNamesInCatalog()) names += (names.empty() ? "" : ", ") + name;
  return names;
}

// The provider named in the path (`{provider}`; a body's is checked by its schema, x-enum:
// providers), or kInvalidArgument naming the field and the providers served.
StatusOr<Provider> ProviderInPath(const std::string& name) {
  if (auto p = FindProvider(name)) return *p;
  return Status(Code::kInvalidArgument,
                "provider: must be one of: " + ProviderList() + " (got \"" + name.substr(0, 100) + "\")",
                Violation{"", "enum", name});
}

nlohmann::ordered_json ActiveOutages(const Engine& engine) {
  const int64_t now = engine.NowMs();
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const ScenarioRule& r : engine.scenarios().ActiveRules(now)) {
    if (!r.outage.empty()) list.push_back(OutageToJson(r, now));
  }
  return list;
}

}  // namespace

void AdminApi::AddOutageHandlers(std::map<std::string, Handler>* h) {
  (*h)["listOutages"] = [this](ApiRequest&) {
    return AdminJson(200, nlohmann::ordered_json{{"outages", ActiveOutages(*engine_)}});
  };
  (*h)["setOutage"] = [this](ApiRequest& req) {
    auto body = Body(req, "setOutage");
    if (!body.ok()) return RenderError(body.status());
    std::optional<Provider> provider = FindProvider(body->value("provider", ""));  // the schema's x-enum checked it
    if (!provider) return RenderError(Internal("setOutage: the body's provider passed its schema but is unknown"));
    auto rule = MakeOutageRule(*provider, body->value("kind", ""), body->value("for_s", 0.0), body->value("times", -1));
    if (!rule.ok()) return RenderError(rule.status());
    auto set = engine_->SetOutage(std::move(rule).value());
    if (!set.ok()) return RenderError(set.status());
    const int64_t now = engine_->NowMs();
    nlohmann::ordered_json j;
    j["outage"] = OutageToJson(*set, now);
    j["rules"] = nlohmann::ordered_json::array({ScenarioRuleToJson(*set, now)});
    return AdminJson(201, j);
  };
  (*h)["clearOutages"] = [this](ApiRequest&) {
    auto removed = engine_->ClearOutages(std::nullopt);
    if (!removed.ok()) return RenderError(removed.status());
    return AdminJson(200, nlohmann::ordered_json{{"removed", *removed}});
  };
  (*h)["clearProviderOutages"] = [this](ApiRequest& req) {
    auto provider = ProviderInPath(std::string(req.PathParam("provider")));
    if (!provider.ok()) return RenderError(provider.status());
    auto removed = engine_->ClearOutages(*provider);
    if (!removed.ok()) return RenderError(removed.status());
    return AdminJson(200, nlohmann::ordered_json{{"removed", *removed}});
  };
}

}  // namespace imagine
