#include "providers/apikley/render.h"

#include "engine/media.h"
#include "common/json_number.h"
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
    case Code::kPermissionDenied: return {401, ""};  // Apikley has no 403: say which model
    case Code::kNotFound:
      if (rule == "route") return {404, "Not Found"};
      if (rule == "not_ready") return {422, "recordInfo is null"};  // the live quirk, whatever unknown_task says
      if (options.unknown_task == ApikleyUnknownTask::kNotFound) return {404, "Task not found"};
      return {422, "recordInfo is null"};
    case Code::kResourceExhausted: return {429, "Rate limit exceeded"};
    case Code::kFailedPrecondition:
      return {402, "Insufficient Credits - Account does not have enough credits to perform the operation"};
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
  std::string msg;
  if (status.violation().rule == "scenario" && !status.message().empty()) {
    msg = status.message();  // a scenario's own message
  } else {
    msg = words.msg[0] != '\0' ? words.msg : DescribeViolation(status);
  }
  return Reply(options, words.code, msg, nullptr);
}

FailureWords FailureFor(const Task& task) {
  // Apikley's failCode/failMsg for each neutral failure reason (api-reference §1.6: failCode
  // is a numeric string such as "400" or "500"; 501 is "Generation Failed" in the seed enum).
  static const std::pair<const char*, FailureWords> kWords[] = {
      {"generation_failed", {"501", "Generation failed, please try again later"}},
      {"content_policy_violation", {"400", "Your request was blocked by content moderation (content policy violation)"}},
      {"generation_timeout", {"500", "Generation timed out"}},
      {"request_cancelled", {"400", "The task was cancelled"}},
  };
  FailureWords w{"500", "Internal server error"};
  for (const auto& [reason, words] : kWords) {
    if (task.fail_reason == reason) w = words;
  }
  if (!task.fail_code.empty()) w.code = task.fail_code;
  if (!task.fail_message.empty()) w.message = task.fail_message;
  return w;
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
  const FailureWords failure = state == TaskState::kFailed ? FailureFor(task) : FailureWords{"", ""};
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
