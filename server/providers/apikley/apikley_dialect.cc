#include "providers/apikley/apikley_dialect.h"

#include "common/json_number.h"
#include "common/json_writer.h"
#include "providers/apikley/callback_payload.h"
#include "providers/apikley/render.h"
#include "providers/apikley/rules.h"

namespace imagine {
namespace {

std::set<std::string> WordingFlags(const ApikleyOptions& options) {
  if (options.unknown_task == ApikleyUnknownTask::kNotFound) return {"unknown_task=not_found"};
  return {};
}

class ApikleyDialect final : public Dialect {
 public:
  explicit ApikleyDialect(ApikleyOptions options)
      : Dialect(Traits{options.provider, "schemas/apikley.openapi.yaml", "apikley.models", options.models,
                       options.validation, apikley::Rules(), WordingFlags(options)}),
        options_(std::move(options)) {}

  // An upscale returns one file of its source's kind: a 720p video or a larger image.
  void ShapeTask(const nlohmann::json& /*body*/, const std::optional<Task>& source, NewTask* task) const override {
    if (task->reported_model != "grok-imagine/upscale" || !source) return;
    task->output = source->output;
    task->output.count = 1;
    task->output.quality_p = 720;
    task->output.upscaled = true;
  }

  ApiResponse RenderCreated(const Task& task, const RenderContext& ctx) const override {
    std::string data;  // {"taskId":…}
    JsonWriter w(&data);
    w.BeginObject();
    w.Key("taskId");
    w.String(task.id);
    w.EndObject();
    return apikley::ReplyJson(options_, 200, ctx.words.Message("success"), data);
  }

  ApiResponse RenderTask(const Task& task, const RenderContext& ctx) const override {
    return apikley::ReplyJson(options_, 200, ctx.words.Message("success"),
                              apikley::TaskRecordJson(task, ctx.now_ms, ctx.public_url, ctx.words));
  }

  ApiResponse RenderCredits(const Balance& balance, const RenderContext& ctx) const override {
    return Success(ctx, JsonNumber(balance.remaining));  // data is the bare balance (§1.8)
  }

  // Every error is {code, msg, data: null}; the HTTP status stays 200 unless mirror_code.
  ApiResponse RenderError(const Status& /*status*/, const ErrorWords& words, const std::string& message) const override {
    return apikley::Reply(options_, words.status, message, nullptr);
  }

  std::string CallbackBody(const Task& task, const RenderContext& ctx) const override {
    return apikley::CallbackPayload(task, ctx.now_ms, ctx.public_url, ctx.words)
        .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }

 private:
  ApiResponse Success(const RenderContext& ctx, const nlohmann::ordered_json& data) const {
    return apikley::Reply(options_, 200, ctx.words.Message("success"), data);
  }

  const ApikleyOptions options_;
};

}  // namespace

std::unique_ptr<const Dialect> MakeApikleyDialect(ApikleyOptions options) {
  return std::make_unique<ApikleyDialect>(std::move(options));
}

}  // namespace imagine
