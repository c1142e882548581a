#include "providers/apikley/render.h"

#include "engine/media.h"
#include "providers/common/json_number.h"
#include "providers/common/request_body.h"

namespace imagine::apikley {
namespace {

struct ErrorWords {
  int code;
  const char* msg;  // fixed text; "" = use the Status message
};

// Apikley's codes and texts (api-reference §1.5, §1.7; seed ApiResponse enum).
ErrorWords WordsFor(const ApikleyOptions& options, const Status& status) {
  const std::string& rule = status.violation().rule;
  switch (status.code()) {
    case Code::kInvalidArgument:
      if (rule == "taskId_required") return {400, "taskId parameter is required"};
      return {422, ""};
    case Code::kUnauthenticated: return {401, "You do not have access permissions"};
    case Code::kPermissionDenied: return {401, "You do not have access permissions"};
    case Code::kNotFound:
      if (rule == "route") return {404, "Not Found"};
      if (options.unknown_task == ApikleyUnknownTask::kNotFound) return {404, "Task not found"};
      return {422, "recordInfo is null"};
    case Code::kResourceExhausted: return {429, "Rate limit exceeded"};
    case Code::kFailedPrecondition: return {402, "Insufficient credits"};
    case Code::kUnavailable: return {455, "Service Unavailable - System is currently undergoing maintenance"};
    case Code::kUnimplemented: return {505, "Feature Disabled - The requested feature is currently disabled"};
    case Code::kPayloadTooLarge: return {422, ""};
    case Code::kInternal:
    case Code::kOk: break;
  }
  return {500, "Internal server error"};
}

}  // namespace

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

ApiResponse RenderError(const ApikleyOptions& options, const Status& status) {
  ErrorWords words = WordsFor(options, status);
  std::string msg = words.msg[0] != '\0' ? words.msg : DescribeViolation(status);
  return Reply(options, words.code, msg, nullptr);
}

nlohmann::ordered_json TaskRecord(const Task& task, int64_t now_ms, std::string_view public_url) {
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
  d["failCode"] = state == TaskState::kFailed ? task.fail_code : "";
  d["failMsg"] = state == TaskState::kFailed ? task.fail_message : "";
  d["costTime"] = terminal ? tl.finished_ms - tl.created_ms : 0;
  d["completeTime"] = terminal ? nlohmann::ordered_json(tl.finished_ms) : nlohmann::ordered_json(nullptr);
  d["createTime"] = tl.created_ms;
  d["updateTime"] = tl.UpdatedAt(now_ms);
  d["creditsConsumed"] = JsonNumber(state == TaskState::kSucceeded ? task.credits : 0.0);
  return d;
}

}  // namespace imagine::apikley
