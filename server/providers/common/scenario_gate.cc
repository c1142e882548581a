#include "providers/common/scenario_gate.h"

#include "callbacks/webhook_faults.h"

namespace imagine {

StatusOr<std::optional<ArmedScenario>> SelectScenario(Engine& engine, Provider provider, Endpoint endpoint,
                                                      const ApiRequest& req, const KeyProfile& profile,
                                                      std::string_view model, std::string_view prompt) {
  ScenarioContext ctx;
  ctx.provider = provider;
  ctx.endpoint = endpoint;
  ctx.key = req.api_key;
  ctx.model = model;
  ctx.prompt = prompt;
  ctx.header = req.Header(kScenarioHeader);
  ctx.profile_default = profile.default_scenario;
  return engine.SelectScenario(ctx);
}

StatusOr<std::string> CallbackFaultsHeader(const ApiRequest& req) {
  const std::string_view faults = req.Header(kCallbackFaultsHeader);
  if (faults.empty()) return std::string();
  auto parsed = ParseWebhookFaults(faults);
  if (!parsed.ok()) {
    return InvalidArgument(std::string(kCallbackFaultsHeader) + ": " + parsed.status().message(),
                           Violation{"", "callback_header", ""});
  }
  return std::string(faults);
}

Status ScenarioError(const ArmedScenario& armed, std::string_view model) {
  return Status(armed.effects.respond.value_or(Code::kInternal), armed.effects.message,
                Violation{"", "scenario", std::string(model)});
}

Status GateQuery(Engine& engine, Provider provider, const ApiRequest& req, const KeyProfile& profile,
                 const StatusOr<Task>& task) {
  const std::string_view model = task.ok() ? std::string_view(task->model) : std::string_view();
  auto armed = SelectScenario(engine, provider, Endpoint::kQuery, req, profile, model, "");
  if (!armed.ok()) return armed.status();
  if (*armed) engine.CommitScenario(**armed);
  if (*armed && (*armed)->effects.respond) return ScenarioError(**armed, model);
  if (!task.ok()) return task.status();
  // A profile default was applied to the task at creation (it carries its polls); only
  // per-request triggers (header, rule) make this one query "not ready".
  const bool request_not_ready = *armed && (*armed)->effects.not_ready_polls > 0 &&
                                 (*armed)->trigger != "profile" && (*armed)->trigger != "chaos";
  if (request_not_ready || engine.ConsumeNotReadyPoll(task->id)) {
    return Status(Code::kNotFound, "record not ready yet", Violation{"", "not_ready", ""});
  }
  return Status::Ok();
}

}  // namespace imagine
