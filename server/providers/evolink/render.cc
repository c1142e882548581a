#include "providers/evolink/render.h"

#include <algorithm>

#include "engine/media.h"
#include "engine/scenarios.h"
#include "common/json_number.h"
#include "providers/common/request_body.h"

namespace imagine::evolink {
namespace {

struct ErrorWords {
  int http;
  const char* code;
  const char* type;
  const char* message;  // "" = the Status, described with its field
};

// Evolink's statuses, codes, types and texts (seed error examples; api-reference §2.4, §2.6).
ErrorWords WordsFor(const Status& status) {
  const std::string& rule = status.violation().rule;
  switch (status.code()) {
    case Code::kInvalidArgument:
      if (rule == "invalid_task_id") {
        return {400, "invalid_task_id", "invalid_request_error", "Invalid task ID format, must start with 'task-unified-'"};
      }
      return {400, "invalid_request", "invalid_request_error", ""};
    case Code::kUnauthenticated:
      if (rule == "missing") return {401, "unauthorized", "authentication_error", "Authentication required"};
      return {401, "unauthorized", "authentication_error", "Invalid or expired token"};
    case Code::kPermissionDenied: return {403, "model_access_denied", "invalid_request_error", ""};
    case Code::kNotFound:
      if (rule == "route") return {404, "not_found", "invalid_request_error", ""};
      return {404, "task_not_found", "invalid_request_error", "The requested task could not be found"};
    case Code::kResourceExhausted:
      return {429, "rate_limit_exceeded", "rate_limit_error", "Too many requests, please try again later"};
    case Code::kFailedPrecondition:
      return {402, "insufficient_quota", "insufficient_quota", "Insufficient quota. Please top up your account."};
    case Code::kUnavailable: return {503, "service_unavailable", "api_error", "Service temporarily unavailable"};
    case Code::kUnimplemented: return {501, "not_implemented", "api_error", "This feature is currently disabled"};
    case Code::kPayloadTooLarge: return {413, "request_too_large", "invalid_request_error", ""};
    case Code::kInternal:
    case Code::kOk: break;
  }
  return {500, "internal_error", "api_error", "Internal server error"};
}

}  // namespace

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

ApiResponse RenderError(const Status& status) {
  ErrorWords w = WordsFor(status);
  nlohmann::ordered_json error;
  error["code"] = w.code;
  if (status.violation().rule == "scenario" && !status.message().empty()) {
    error["message"] = status.message();  // a scenario's own message
  } else {
    error["message"] = w.message[0] != '\0' ? std::string(w.message) : DescribeViolation(status);
  }
  error["type"] = w.type;
  const Violation& v = status.violation();
  if (!v.pointer.empty()) {
    error["param"] = PointerToFieldPath(v.pointer);
  } else if (v.rule == "invalid_task_id") {
    error["param"] = "task_id";
  }
  nlohmann::ordered_json body;
  body["error"] = std::move(error);
  return Json(w.http, body);
}

std::pair<std::string, std::string> FailureFor(const Task& task) {
  static const std::pair<const char*, std::pair<const char*, const char*>> kWords[] = {
      {"generation_failed", {"generation_failed_no_content", "Generation failed: the model returned no content. Please try again."}},
      {"content_policy_violation",
       {"content_policy_violation",
        "Content policy violation.\nYour request was blocked by safety filters. Please modify your prompt or image and "
        "try again."}},
      {"generation_timeout", {"generation_timeout", "Generation timed out. Please try again."}},
      {"request_cancelled", {"request_cancelled", "The request was cancelled."}},
  };
  std::string code = task.fail_reason.empty() ? "unknown_error" : task.fail_reason;
  std::string message = "Task failed: " + code;
  for (const auto& [reason, words] : kWords) {
    if (task.fail_reason == reason) {
      code = words.first;
      message = words.second;
    }
  }
  if (!task.fail_code.empty()) code = task.fail_code;
  if (!task.fail_message.empty()) message = task.fail_message;
  return {code, message};
}

nlohmann::ordered_json TaskObject(const Task& task, int64_t now_ms, std::string_view public_url,
                                  std::string_view user_group) {
  const Timeline& tl = task.timeline;
  const TaskState state = tl.StateAt(now_ms);
  nlohmann::ordered_json o;
  o["created"] = tl.created_ms / 1000;
  if (state == TaskState::kFailed) {
    auto [code, message] = FailureFor(task);
    nlohmann::ordered_json error;
    error["code"] = code;
    error["message"] = message;
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
