#include "providers/evolink/render.h"

#include <algorithm>

#include "engine/media.h"
#include "engine/scenarios.h"
#include "common/json_number.h"
#include "common/json_writer.h"
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

std::string TaskObjectJson(const Task& task, int64_t now_ms, std::string_view public_url,
                           std::string_view user_group, const Wording& words) {
  const Timeline& tl = task.timeline;
  const TaskState state = tl.StateAt(now_ms);
  std::string out;
  out.reserve(512);
  JsonWriter w(&out);
  w.BeginObject();
  w.Key("created");
  w.Int(tl.created_ms / 1000);
  if (state == TaskState::kFailed) {
    const FailureWords failure = words.FailureFor(task);
    w.Key("error");
    w.BeginObject();
    w.Key("code");
    w.String(failure.code);
    w.Key("message");
    w.String(failure.message);
    w.Key("type");
    w.String("task_error");
    w.EndObject();
  }
  w.Key("id");
  w.String(task.id);
  w.Key("model");
  w.String(task.model);
  w.Key("object");
  w.String("video.generation.task");
  w.Key("progress");
  w.Int(ScriptedProgress(tl, task.progress_script, now_ms));
  if (state == TaskState::kSucceeded) {
    w.Key("results");
    w.BeginArray();
    for (const std::string& url : ResultUrls(public_url, task)) w.String(url);
    w.EndArray();
  }
  w.Key("status");
  w.String(StatusName(state));
  w.Key("task_info");
  w.BeginObject();
  w.Key("can_cancel");
  w.Bool(state == TaskState::kWaiting || state == TaskState::kQueuing);
  int64_t remaining_ms = IsTerminal(state) ? 0 : (tl.finished_ms == kNever ? 0 : tl.finished_ms - now_ms);
  w.Key("estimated_time");
  w.Int(std::max<int64_t>(0, (remaining_ms + 999) / 1000));
  w.EndObject();
  w.Key("type");
  w.String("video");
  w.Key("usage");
  w.BeginObject();
  w.Key("billing_rule");
  w.String("per_call");
  w.Key("credits_reserved");
  w.Number(task.credits);
  w.Key("user_group");
  w.String(user_group);
  w.EndObject();
  w.EndObject();
  return out;
}

nlohmann::ordered_json TaskObject(const Task& task, int64_t now_ms, std::string_view public_url,
                                  std::string_view user_group, const Wording& words) {
  return nlohmann::ordered_json::parse(TaskObjectJson(task, now_ms, public_url, user_group, words));
}

}  // namespace imagine::evolink
