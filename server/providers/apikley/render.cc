#include "providers/apikley/render.h"

#include "common/json_number.h"
#include "common/json_writer.h"
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

ApiResponse ReplyJson(const ApikleyOptions& options, int code, std::string_view msg, std::string_view data_json) {
  ApiResponse r;
  r.status = options.http_status == ApikleyHttpStatus::kMirrorCode ? code : 200;
  r.body.reserve(32 + msg.size() + data_json.size());
  JsonWriter w(&r.body);
  w.BeginObject();
  w.Key("code");
  w.Int(code);
  w.Key("msg");
  w.String(msg);
  w.Key("data");
  w.Raw(data_json);
  w.EndObject();
  return r;
}

ApiResponse Reply(const ApikleyOptions& options, int code, std::string_view msg, const nlohmann::ordered_json& data) {
  return ReplyJson(options, code, msg, data.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

std::string TaskRecordJson(const Task& task, int64_t now_ms, std::string_view public_url, const Wording& words) {
  const Timeline& tl = task.timeline;
  const TaskState state = tl.StateAt(now_ms);
  const bool terminal = IsTerminal(state);
  std::string out;
  out.reserve(256 + task.request_json.size() + task.id.size());
  JsonWriter w(&out);
  w.BeginObject();
  w.Key("taskId");
  w.String(task.id);
  w.Key("model");
  w.String(task.model);
  w.Key("state");
  w.String(StateName(state));
  w.Key("param");
  w.String(task.request_json);
  if (state == TaskState::kSucceeded) {
    std::string result;  // {"resultUrls":[...]}, itself a JSON string in the record
    JsonWriter r(&result);
    r.BeginObject();
    r.Key("resultUrls");
    r.BeginArray();
    for (const std::string& url : ResultUrls(public_url, task)) r.String(url);
    r.EndArray();
    r.EndObject();
    w.Key("resultJson");
    w.String(result);
  }
  const FailureWords failure = state == TaskState::kFailed ? words.FailureFor(task) : FailureWords{"", ""};
  w.Key("failCode");
  w.String(failure.code);
  w.Key("failMsg");
  w.String(failure.message);
  w.Key("costTime");
  w.Int(terminal ? tl.finished_ms - tl.created_ms : 0);
  w.Key("completeTime");
  if (terminal) {
    w.Int(tl.finished_ms);
  } else {
    w.Null();
  }
  w.Key("createTime");
  w.Int(tl.created_ms);
  w.Key("updateTime");
  w.Int(tl.UpdatedAt(now_ms));
  w.Key("creditsConsumed");
  w.Number(state == TaskState::kSucceeded ? task.credits : 0.0);
  w.EndObject();
  return out;
}

nlohmann::ordered_json TaskRecord(const Task& task, int64_t now_ms, std::string_view public_url, const Wording& words) {
  return nlohmann::ordered_json::parse(TaskRecordJson(task, now_ms, public_url, words));
}

}  // namespace imagine::apikley
