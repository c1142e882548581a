#include "providers/evolink/evolink_dialect.h"

#include "common/json_number.h"
#include "providers/evolink/callback_payload.h"
#include "providers/evolink/render.h"
#include "providers/evolink/rules.h"

namespace imagine {
namespace {

class EvolinkDialect final : public Dialect {
 public:
  explicit EvolinkDialect(const EvolinkOptions& options)
      : Dialect(Traits{options.provider, "schemas/evolink.openapi.yaml", "evolink.models", options.models,
                       options.validation, evolink::Rules(options), {}, options.allow_private_images,
                       options.allow_private_callbacks}) {}

  // The requested duration and quality pick the result video.
  void ShapeTask(const nlohmann::json& body, const std::optional<Task>& /*source*/, NewTask* task) const override {
    task->output.duration_s = body.value("duration", 6);
    task->output.quality_p = body.value("quality", "480p") == "720p" ? 720 : 480;
  }

  // Creation answers with the task object, as a query would.
  ApiResponse RenderCreated(const Task& task, const RenderContext& ctx) const override { return RenderTask(task, ctx); }

  ApiResponse RenderTask(const Task& task, const RenderContext& ctx) const override {
    ApiResponse r;
    r.status = 200;
    r.body = evolink::TaskObjectJson(task, ctx.now_ms, ctx.public_url, ctx.profile.user_group, ctx.words);
    return r;
  }

  ApiResponse RenderCredits(const Balance& balance, const RenderContext& /*ctx*/) const override {
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

  ApiResponse RenderError(const Status& status, const ErrorWords& words, const std::string& message) const override {
    return evolink::ErrorBody(status, words, message);
  }

  std::string CallbackBody(const Task& task, const RenderContext& ctx) const override {
    return evolink::CallbackPayload(task, ctx.now_ms, ctx.public_url, ctx.profile.user_group, ctx.words)
        .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
};

}  // namespace

std::unique_ptr<const Dialect> MakeEvolinkDialect(const EvolinkOptions& options) {
  return std::make_unique<EvolinkDialect>(options);
}

}  // namespace imagine
