// Apikley's envelope and task record: every response is {code, msg, data}, and the body
// code carries the outcome (HTTP 200 unless http_status is mirror_code). The words come
// from the wording table of schemas/apikley.openapi.yaml. Stateless; thread-safe.
#ifndef IMAGINE_PROVIDERS_APIKLEY_RENDER_H_
#define IMAGINE_PROVIDERS_APIKLEY_RENDER_H_

#include <nlohmann/json.hpp>
#include <string_view>

#include "common/api.h"
#include "engine/task.h"
#include "providers/apikley/apikley_options.h"
#include "providers/common/wording.h"

namespace imagine::apikley {

// {code, msg, data} with the HTTP status the options ask for.
ApiResponse Reply(const ApikleyOptions& options, int code, std::string_view msg, const nlohmann::ordered_json& data);
// The same with `data` already written as compact JSON (the request path: no json tree).
ApiResponse ReplyJson(const ApikleyOptions& options, int code, std::string_view msg, std::string_view data_json);

// The recordInfo `data` object for `task` as seen at `now_ms` (api-reference §1.5):
// param and resultJson are JSON strings; times in epoch ms; costTime in ms; failCode and
// failMsg in `words`.
std::string TaskRecordJson(const Task& task, int64_t now_ms, std::string_view public_url, const Wording& words);
// The same as a tree (the callback payload): TaskRecordJson parsed.
nlohmann::ordered_json TaskRecord(const Task& task, int64_t now_ms, std::string_view public_url, const Wording& words);

// Apikley's name of a neutral state: waiting, queuing, generating, success, fail.
const char* StateName(TaskState state);

}  // namespace imagine::apikley

#endif  // IMAGINE_PROVIDERS_APIKLEY_RENDER_H_
