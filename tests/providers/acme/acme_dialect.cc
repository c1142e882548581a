// The Acme dialect: the C++ half of the test provider (acme.openapi.yaml is the data half).
// It registers itself with a ProviderRegistrar, as any provider a build adds would: linking
// this folder into the emulator is all it takes to serve Acme. Acme's words: a job is
// queued / running / done / failed; creation answers 201 with the job; errors are
// {"error":{"code","message"}} with the HTTP status of the document's error table.
#include <string>

#include "engine/media.h"
#include "providers/provider_catalog.h"

namespace imagine {
namespace {

const char* StateName(TaskState state) {
  switch (state) {
    case TaskState::kWaiting:
    case TaskState::kQueuing: return "queued";
    case TaskState::kGenerating: return "running";
    case TaskState::kSucceeded: return "done";
    case TaskState::kFailed: return "failed";
  }
  return "queued";
}

ApiResponse JsonAnswer(int status, const nlohmann::ordered_json& body) {
  ApiResponse r;
  r.status = status;
  r.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

nlohmann::ordered_json Job(const Task& task, const RenderContext& ctx) {
  const TaskState state = task.timeline.StateAt(ctx.now_ms);
  nlohmann::ordered_json job;
  job["id"] = task.id;
  job["model"] = task.model;
  job["state"] = StateName(state);
  job["progress"] = task.timeline.ProgressAt(ctx.now_ms);
  job["seconds"] = task.output.duration_s;
  if (state == TaskState::kSucceeded) job["video_url"] = ResultUrls(ctx.public_url, task).front();
  if (state == TaskState::kFailed) {
    const FailureWords failure = ctx.words.FailureFor(task);
    job["failure"] = {{"code", failure.code}, {"message", failure.message}};
  }
  return job;
}

class AcmeDialect final : public Dialect {
 public:
  explicit AcmeDialect(const ProviderSettings& s)
      : Dialect(Traits{s.provider, IMAGINE_PROVIDER_DIR "/acme.openapi.yaml", "acme.models", s.models, s.validation,
                       {}, {}, s.section.value("allow_private_images", true),
                       s.section.value("allow_private_callbacks", true)}) {}

  void ShapeTask(const nlohmann::json& body, const std::optional<Task>&, NewTask* task) const override {
    task->output.duration_s = body.value("seconds", 6);
  }
  ApiResponse RenderCreated(const Task& task, const RenderContext& ctx) const override {
    return JsonAnswer(201, Job(task, ctx));
  }
  ApiResponse RenderTask(const Task& task, const RenderContext& ctx) const override {
    return JsonAnswer(200, Job(task, ctx));
  }
  ApiResponse RenderCredits(const Balance& balance, const RenderContext&) const override {
    return JsonAnswer(200, {{"remaining", balance.remaining}, {"used", balance.used}});
  }
  ApiResponse RenderError(const Status&, const ErrorWords& words, const std::string& message) const override {
    return JsonAnswer(words.status, {{"error", {{"code", words.error_code}, {"message", message}}}});
  }
  std::string CallbackBody(const Task& task, const RenderContext& ctx) const override {
    return Job(task, ctx).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
};

const ProviderRegistrar kAcme({
    "acme",
    IMAGINE_PROVIDER_DIR "/acme.openapi.yaml",
    R"(
acme:
  models:
    acme-video-1: {output: video, price: 3, timing: {waiting_s: [1, 1], queuing_s: [1, 1], total_s: [10, 10]}}
callbacks:
  acme: {timeout_s: 5, retries_s: [1]}
)",
    [](const ProviderSettings& s) -> std::unique_ptr<const Dialect> { return std::make_unique<AcmeDialect>(s); },
});

}  // namespace
}  // namespace imagine
