#include "providers/apikley/apikley_dialect.h"

#include "providers/apikley/callback_payload.h"
#include "providers/apikley/ids.h"
#include "providers/apikley/render.h"
#include "providers/apikley/rules.h"
#include "common/json_number.h"
#include "providers/common/create_operation.h"
#include "providers/common/request_body.h"
#include "providers/common/scenario_gate.h"

namespace imagine {

ApikleyDialect::ApikleyDialect(std::shared_ptr<const OpenApiDocument> spec, ApikleyOptions options, Engine* engine)
    : spec_(std::move(spec)), options_(std::move(options)), engine_(engine) {}

StatusOr<std::unique_ptr<ApikleyDialect>> ApikleyDialect::Create(std::shared_ptr<const OpenApiDocument> spec,
                                                                 ApikleyOptions options, Engine* engine) {
  std::unique_ptr<ApikleyDialect> d(new ApikleyDialect(std::move(spec), std::move(options), engine));
  auto op = FindCreateOperation(*d->spec_, "createTask", d->options_.models, "apikley.models");
  if (!op.ok()) return op.status();
  d->create_op_ = *op;
  return d;
}

std::map<std::string, Handler> ApikleyDialect::Handlers() {
  return {
      {"createTask", [this](ApiRequest& r) { return CreateTask(r); }},
      {"getTaskDetail", [this](ApiRequest& r) { return GetTaskDetail(r); }},
      {"getAccountCredits", [this](ApiRequest& r) { return GetAccountCredits(r); }},
  };
}

ApiResponse ApikleyDialect::RenderError(const Status& status) const { return apikley::RenderError(options_, status); }

std::string ApikleyDialect::CallbackBody(const Task& task, int64_t now_ms) const {
  return apikley::CallbackPayload(task, now_ms, engine_->options().public_url)
      .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::shared_ptr<const spec::Validator> ApikleyDialect::ResponseSchema(std::string_view operation_id,
                                                                      const ApiResponse& response) const {
  nlohmann::json body = nlohmann::json::parse(response.body, nullptr, false);
  if (body.is_object() && body.value("code", 0) != 200) return spec_->ComponentSchema("ErrorResponse");
  const OpenApiOperation* op = spec_->Find(operation_id);
  if (op == nullptr) return nullptr;
  auto it = op->responses.find("200");
  return it == op->responses.end() ? nullptr : it->second;
}

ApiResponse ApikleyDialect::CreateTask(ApiRequest& req) {
  auto body = ParseJsonObjectBody(req.body, req.Header("Content-Type"), options_.validation);
  if (!body.ok()) return RenderError(body.status());
  nlohmann::json& request = body.value();
  Status s = ValidateAgainst(*create_op_->request_body, request, /*reject_unknown_fields=*/false);
  if (!s.ok()) return RenderError(s);
  const std::string model = request["model"].get<std::string>();
  auto schema = create_op_->models.find(model);
  auto model_options = options_.models.find(model);
  if (schema == create_op_->models.end() || model_options == options_.models.end()) {
    return RenderError(InvalidArgument("is not a supported model", Violation{"/model", "enum", TruncatedJson(model)}));
  }
  s = ValidateAgainst(*schema->second, request, options_.validation.strict);
  if (!s.ok()) return RenderError(s);

  apikley::RuleContext ctx{request, model, req.api_key, *engine_, std::nullopt};
  s = apikley::CheckRules(ctx);
  if (!s.ok()) return RenderError(s);

  const nlohmann::json& input = request["input"];
  std::string_view prompt = input.contains("prompt") ? input["prompt"].get_ref<const std::string&>() : "";
  auto armed = SelectScenario(*engine_, Provider::kApikley, Endpoint::kCreate, req, model, prompt);
  if (!armed.ok()) return RenderError(armed.status());
  auto faults = CallbackFaultsHeader(req);
  if (!faults.ok()) return RenderError(faults.status());
  if (*armed && (*armed)->effects.respond) {
    engine_->scenarios().Commit(**armed);
    return RenderError(ScenarioError(**armed, model));
  }

  const ModelOptions& mo = model_options->second;
  NewTask spec;
  spec.provider = Provider::kApikley;
  spec.owner_key = req.api_key;
  spec.model = &mo;
  spec.reported_model = model;
  spec.request_json = request.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  spec.callback_url = request.value("callBackUrl", "");
  spec.output.kind = mo.output;
  spec.output.count = mo.outputs;
  spec.scenario = *armed ? &**armed : nullptr;
  spec.callback_faults = std::move(faults).value();
  if (model == "grok-imagine/upscale" && ctx.source) {
    // An upscale returns one file of the source's kind: a 720p video or a larger image.
    spec.output = ctx.source->output;
    spec.output.count = 1;
    spec.output.quality_p = 720;
    spec.output.upscaled = true;
  }
  auto task = engine_->CreateTask(std::move(spec), &apikley::MakeTaskId);
  if (!task.ok()) return RenderError(task.status());
  if (*armed) engine_->scenarios().Commit(**armed);
  nlohmann::ordered_json data;
  data["taskId"] = task->id;
  ApiResponse r = apikley::Reply(options_, 200, "success", std::move(data));
  r.task_id = task->id;
  r.scenario = task->scenario;
  return r;
}

ApiResponse ApikleyDialect::GetTaskDetail(ApiRequest& req) {
  std::string_view id = req.Query("taskId");
  if (id.empty()) {
    return RenderError(InvalidArgument("taskId parameter is required", Violation{"", "taskId_required", ""}));
  }
  auto task = engine_->FindTask(Provider::kApikley, req.api_key, id);
  Status gate = GateQuery(*engine_, Provider::kApikley, req, task);
  ApiResponse r = gate.ok() ? apikley::Reply(options_, 200, "success",
                                             apikley::TaskRecord(*task, engine_->NowMs(), engine_->options().public_url))
                            : RenderError(gate);
  r.task_id = std::string(id);
  return r;
}

ApiResponse ApikleyDialect::GetAccountCredits(ApiRequest& req) {
  Balance balance = engine_->accounts().BalanceOf(req.api_key, engine_->NowMs());
  return apikley::Reply(options_, 200, "success", JsonNumber(balance.remaining));
}

}  // namespace imagine
