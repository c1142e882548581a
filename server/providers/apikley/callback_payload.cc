#include "providers/apikley/callback_payload.h"

#include "providers/apikley/render.h"

namespace imagine::apikley {

nlohmann::ordered_json CallbackPayload(const Task& task, int64_t now_ms, std::string_view public_url,
                                       const Wording& words) {
  nlohmann::ordered_json record = TaskRecord(task, now_ms, public_url, words);
  const bool success = record["state"] == "success";
  nlohmann::ordered_json data;
  data["taskId"] = record["taskId"];
  data["model"] = record["model"];
  data["state"] = record["state"];
  data["param"] = record["param"];
  if (success) {
    data["resultJson"] = record["resultJson"];
  } else {
    // Older Kie failure examples carry resultJson null, failCode "500" (api-reference §1.6).
    data["resultJson"] = nullptr;
    data["failCode"] = record["failCode"];
    data["failMsg"] = record["failMsg"];
  }
  // The unified callback reports costTime in seconds (recordInfo: milliseconds).
  data["costTime"] = (record["costTime"].get<int64_t>() + 500) / 1000;
  data["createTime"] = record["createTime"];
  data["updateTime"] = record["updateTime"];
  data["completeTime"] = record["completeTime"];
  data["creditsConsumed"] = record["creditsConsumed"];
  nlohmann::ordered_json body;
  body["code"] = success ? 200 : 501;
  body["msg"] = words.Message(success ? "callback_succeeded" : "callback_failed");
  body["data"] = std::move(data);
  return body;
}

}  // namespace imagine::apikley
