#include "providers/evolink/evolink_dialect.h"

#include "common/json_number.h"
#include "providers/common/create_operation.h"
#include "providers/common/request_body.h"
#include "providers/common/scenario_gate.h"
#include "providers/evolink/callback_payload.h"
#include "providers/evolink/ids.h"
#include "providers/evolink/render.h"
#include "providers/evolink/rules.h"

namespace imagine {

EvolinkDialect::EvolinkDialect(std::shared_ptr<const OpenApiDocument> spec, EvolinkOptions options, Engine* engine)
    : spec_(std::move(spec)), options_(std::move(options)), engine_(engine) {}

StatusOr<std::unique_ptr<EvolinkDialect>> EvolinkDialect::Create(std::shared_ptr<const OpenApiDocument> spec,
                                                                 EvolinkOptions options, Engine* engine) {
  std::unique_ptr<EvolinkDialect> d(new EvolinkDialect(std::move(spec), std::move(options), engine));
  auto op = FindCreateOperation(*d->spec_, "createVideoGeneration", d->options_.models, "evolink.models");
  if (!op.ok()) return op.status();
  d->create_op_ = *op;
  for (const auto& [model, schema] : d->create_op_->models) {
    if (!d->model_list_.empty()) d->model_list_ += ", ";
    d->model_list_ += model;
  }
  return d;
}

std::map<std::string, Handler> EvolinkDialect::Handlers() {
  return {
      {"createVideoGeneration", [this](ApiRequest& r) { return CreateVideoGeneration(r); }},
      {"getTaskDetail", [this](ApiRequest& r) { return GetTaskDetail(r); }},
      {"getCredits", [this](ApiRequest& r) { return GetCredits(r); }},
  };
}

ApiResponse EvolinkDialect::RenderError(const Status& status) const {
  ApiResponse r = evolink::RenderError(status);
  const std::string& rule = status.violation().rule;
  if (rule == "callback_url_https" || rule == "callback_url_public") {
    r.headers.emplace_back("X-Emulator-Hint",
                           "set evolink.allow_private_callbacks: true in the emulator config to accept http:// and "
                           "loopback/private callback receivers");
  }
  return r;
}

std::string EvolinkDialect::CallbackBody(const Task& task, int64_t now_ms) const {
  return evolink::CallbackPayload(task, now_ms, engine_->options().public_url,
                                  engine_->accounts().ProfileFor(task.owner_key)->user_group)
      .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

ApiResponse EvolinkDialect::CreateVideoGeneration(ApiRequest& req) {
  auto body = ParseJsonObjectBody(req.body, req.Header("Content-Type"), options_.validation);
  if (!body.ok()) return RenderError(body.status());
  nlohmann::json& request = body.value();
  Status s = ValidateAgainst(*create_op_->request_body, request, /*reject_unknown_fields=*/false);
  if (!s.ok()) return RenderError(s);
  std::string model = request["model"].get<std::string>();
  if (auto alias = create_op_->model_aliases.find(model); alias != create_op_->model_aliases.end()) {
    model = alias->second;  // seed: the legacy name "will be automatically mapped" to the beta name
  }
  auto schema = create_op_->models.find(model);
  if (schema == create_op_->models.end()) {
    return RenderError(InvalidArgument("must be one of: " + model_list_,
                                       Violation{"/model", "enum", TruncatedJson(request["model"])}));
  }
  s = ValidateAgainst(*schema->second, request, options_.validation.strict);
  if (!s.ok()) return RenderError(s);
  s = evolink::CheckRules(evolink::RuleContext{request, options_});
  if (!s.ok()) return RenderError(s);
  auto armed = SelectScenario(*engine_, Provider::kEvolink, Endpoint::kCreate, req, model,
                              request["prompt"].get_ref<const std::string&>());
  if (!armed.ok()) return RenderError(armed.status());
  if (*armed && (*armed)->effects.respond) {
    engine_->scenarios().Commit(**armed);
    return RenderError(ScenarioError(**armed, model));
  }
  auto faults = CallbackFaultsHeader(req);
  if (!faults.ok()) return RenderError(faults.status());

  const ModelOptions& mo = options_.models.at(model);
  NewTask spec;
  spec.provider = Provider::kEvolink;
  spec.owner_key = req.api_key;
  spec.model = &mo;
  spec.reported_model = model;
  spec.request_json = request.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  spec.callback_url = request.value("callback_url", "");
  spec.output.kind = mo.output;
  spec.output.count = mo.outputs;
  spec.output.duration_s = request.value("duration", 6);
  spec.output.quality_p = request.value("quality", "480p") == "720p" ? 720 : 480;
  spec.scenario = *armed ? &**armed : nullptr;
  spec.callback_faults = std::move(faults).value();
  auto task = engine_->CreateTask(std::move(spec), &evolink::MakeTaskId);
  if (!task.ok()) return RenderError(task.status());
  if (*armed) engine_->scenarios().Commit(**armed);
  ApiResponse r = evolink::Json(200, evolink::TaskObject(*task, engine_->NowMs(), engine_->options().public_url,
                                                         engine_->accounts().ProfileFor(req.api_key)->user_group));
  r.task_id = task->id;
  r.scenario = task->scenario;
  return r;
}

ApiResponse EvolinkDialect::GetTaskDetail(ApiRequest& req) {
  std::string_view id = req.PathParam("task_id");
  if (!evolink::IsTaskIdFormat(id)) {
    return RenderError(InvalidArgument("Invalid task ID format", Violation{"", "invalid_task_id", ""}));
  }
  auto task = engine_->FindTask(Provider::kEvolink, req.api_key, id);
  Status gate = GateQuery(*engine_, Provider::kEvolink, req, task);
  ApiResponse r = gate.ok() ? evolink::Json(200, evolink::TaskObject(*task, engine_->NowMs(), engine_->options().public_url,
                                                                     engine_->accounts().ProfileFor(req.api_key)->user_group))
                            : RenderError(gate);
  r.task_id = std::string(id);
  return r;
}

ApiResponse EvolinkDialect::GetCredits(ApiRequest& req) {
  Balance balance = engine_->accounts().BalanceOf(req.api_key, engine_->NowMs());
  nlohmann::ordered_json token;
  token["remaining_credits"] = JsonNumber(balance.remaining);
  token["unlimited_credits"] = false;
  token["used_credits"] = JsonNumber(balance.used);
  nlohmann::ordered_json user;
  user["remaining_credits"] = JsonNumber(balance.remaining);
  user["used_credits"] = JsonNumber(balance.used);
  nlohmann::ordered_json body;
  body["data"]["token"] = std::move(token);
  body["data"]["user"] = std::move(user);
  body["message"] = "";
  body["success"] = true;
  return evolink::Json(200, body);
}

}  // namespace imagine
