#include "providers/apikley/render.h"

#include "common/json_number.h"
#include "engine/media.h"

namespace imagine::apikley {

const char* StateName(TaskState state) {
  switch (state) {
    case TaskState::kWaiting: return "waiting";
    case TaskState::kQueuing: return "queuing";
    case TaskState::kGenerating: return "generating";
    case TaskState::kSucceeded: return "success";
    case TaskState::kFailed: return "fail";
  }
  return "waiting";
}

ApiResponse Reply(const ApikleyOptions& options, int code, std::string_view msg, nlohmann::ordered_json data) {
  nlohmann::ordered_json body;
  body["code"] = code;
  body["msg"] = msg;
  body["data"] = std::move(data);
  ApiResponse r;
  r.status = options.http_status == ApikleyHttpStatus::kMirrorCode ? code : 200;
  r.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

nlohmann::ordered_json TaskRecord(const Task& task, int64_t now_ms, std::string_view public_url, const Wording& words) {
  const Timeline& tl = task.timeline;
  const TaskState state = tl.StateAt(now_ms);
  const bool terminal = IsTerminal(state);
  nlohmann::ordered_json d;
  d["taskId"] = task.id;
  d["model"] = task.model;
  d["state"] = StateName(state);
  d["param"] = task.request_json;
  if (state == TaskState::kSucceeded) {
    nlohmann::json result;
    result["resultUrls"] = ResultUrls(public_url, task);
    d["resultJson"] = result.dump();
  }
  const FailureWords failure = state == TaskState::kFailed ? words.FailureFor(task) : FailureWords{"", ""};
  d["failCode"] = failure.code;
  d["failMsg"] = failure.message;
  d["costTime"] = terminal ? tl.finished_ms - tl.created_ms : 0;
  d["completeTime"] = terminal ? nlohmann::ordered_json(tl.finished_ms) : nlohmann::ordered_json(nullptr);
  d["createTime"] = tl.created_ms;
  d["updateTime"] = tl.UpdatedAt(now_ms);
  d["creditsConsumed"] = JsonNumber(state == TaskState::kSucceeded ? task.credits : 0.0);
  return d;
}

}  // namespace imagine::apikley
