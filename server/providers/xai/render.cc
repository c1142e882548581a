#include "providers/xai/render.h"

#include <cmath>

#include "engine/media.h"
#include "engine/scenarios.h"

namespace imagine::xai {

int RequestedDuration(const Task& task) {
  const nlohmann::json body = nlohmann::json::parse(task.request_json, nullptr, false);
  if (!body.is_object()) return kDefaultDurationS;
  auto it = body.find("duration");
  return it != body.end() && it->is_number_integer() ? it->get<int>() : kDefaultDurationS;
}

ApiResponse Json(int status, const nlohmann::ordered_json& body) {
  ApiResponse r;
  r.status = status;
  r.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

ApiResponse ErrorBody(const ErrorWords& words, const std::string& message) {
  nlohmann::ordered_json body;
  body["code"] = words.error_code;
  body["error"] = message;
  return Json(words.status, body);
}

const char* StatusName(const Task& task, const RenderContext& ctx) {
  switch (task.timeline.StateAt(ctx.now_ms)) {
    case TaskState::kWaiting:
    case TaskState::kQueuing: return "pending";
    case TaskState::kGenerating: return "processing";
    case TaskState::kFailed: return "failed";
    case TaskState::kSucceeded:
      // Video URLs are temporary (X-GET lists "expired"): the request expires with its link.
      return task.results_expired || ctx.now_ms >= task.timeline.finished_ms + ctx.result_ttl_ms ? "expired" : "done";
  }
  return "pending";
}

nlohmann::ordered_json Result(const Task& task, const RenderContext& ctx) {
  const std::string status = StatusName(task, ctx);
  nlohmann::ordered_json o;
  o["status"] = status;
  if (status == "done") {
    nlohmann::ordered_json video;
    video["url"] = ResultUrls(ctx.public_url, task).front();
    video["duration"] = RequestedDuration(task);
    video["respect_moderation"] = true;
    o["video"] = std::move(video);
  } else if (status == "failed") {
    // X-GET's failed example carries a video with duration 0.
    o["video"] = {{"duration", 0}, {"respect_moderation", true}};
  }
  o["model"] = task.model;
  o["progress"] = status == "expired" ? 100 : ScriptedProgress(task.timeline, task.progress_script, ctx.now_ms);
  if (status == "done" || status == "expired") {
    // usage.cost_in_usd_ticks: 1 USD = 10^10 ticks (X-COMET: 1 s at 480p = 500000000).
    o["usage"] = {{"cost_in_usd_ticks", static_cast<int64_t>(std::llround(task.credits * 1e10))}};
  }
  if (status == "failed") {
    const FailureWords failure = ctx.words.FailureFor(task);
    o["error"] = {{"code", failure.code}, {"message", failure.message}};
  }
  return o;
}

}  // namespace imagine::xai
