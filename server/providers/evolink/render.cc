#include "providers/evolink/render.h"

#include <algorithm>

#include "engine/media.h"
#include "engine/scenarios.h"
#include "common/json_number.h"
#include "common/text.h"

namespace imagine::evolink {

const char* StatusName(TaskState state) {
  switch (state) {
    case TaskState::kWaiting:
    case TaskState::kQueuing: return "pending";
    case TaskState::kGenerating: return "processing";
    case TaskState::kSucceeded: return "completed";
    case TaskState::kFailed: return "failed";
  }
  return "pending";
}

ApiResponse Json(int status, const nlohmann::ordered_json& body) {
  ApiResponse r;
  r.status = status;
  r.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

ApiResponse ErrorBody(const Status& status, const ErrorWords& words, const std::string& message) {
  nlohmann::ordered_json error;
  error["code"] = words.error_code;
  error["message"] = message;
  error["type"] = words.type;
  if (!status.violation().pointer.empty()) {
    error["param"] = PointerToFieldPath(status.violation().pointer);
  } else if (!words.param.empty()) {
    error["param"] = words.param;
  }
  nlohmann::ordered_json body;
  body["error"] = std::move(error);
  return Json(words.status, body);
}

nlohmann::ordered_json TaskObject(const Task& task, int64_t now_ms, std::string_view public_url,
                                  std::string_view user_group, const Wording& words) {
  const Timeline& tl = task.timeline;
  const TaskState state = tl.StateAt(now_ms);
  nlohmann::ordered_json o;
  o["created"] = tl.created_ms / 1000;
  if (state == TaskState::kFailed) {
    const FailureWords failure = words.FailureFor(task);
    nlohmann::ordered_json error;
    error["code"] = failure.code;
    error["message"] = failure.message;
    error["type"] = "task_error";
    o["error"] = std::move(error);
  }
  o["id"] = task.id;
  o["model"] = task.model;
  o["object"] = "video.generation.task";
  o["progress"] = ScriptedProgress(tl, task.progress_script, now_ms);
  if (state == TaskState::kSucceeded) o["results"] = ResultUrls(public_url, task);
  o["status"] = StatusName(state);
  nlohmann::ordered_json info;
  info["can_cancel"] = state == TaskState::kWaiting || state == TaskState::kQueuing;
  int64_t remaining_ms = IsTerminal(state) ? 0 : (tl.finished_ms == kNever ? 0 : tl.finished_ms - now_ms);
  info["estimated_time"] = std::max<int64_t>(0, (remaining_ms + 999) / 1000);
  o["task_info"] = std::move(info);
  o["type"] = "video";
  nlohmann::ordered_json usage;
  usage["billing_rule"] = "per_call";
  usage["credits_reserved"] = JsonNumber(task.credits);
  usage["user_group"] = user_group;
  o["usage"] = std::move(usage);
  return o;
}

}  // namespace imagine::evolink
