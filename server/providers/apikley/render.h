// Apikley's envelope and error words: every response is {code, msg, data}, and the body
// code carries the outcome (HTTP 200 unless http_status is mirror_code). The error
// texts live in one table in render.cc. Stateless; thread-safe.
#ifndef IMAGINE_PROVIDERS_APIKLEY_RENDER_H_
#define IMAGINE_PROVIDERS_APIKLEY_RENDER_H_

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "common/api.h"
#include "common/status.h"
#include "engine/task.h"
#include "providers/apikley/apikley_options.h"

namespace imagine::apikley {

// {code, msg, data} with the HTTP status the options ask for.
ApiResponse Reply(const ApikleyOptions& options, int code, std::string_view msg, nlohmann::ordered_json data);

// An engine Status in Apikley's words (body code 401, 404, 422, ...; see the table in render.cc).
ApiResponse RenderError(const ApikleyOptions& options, const Status& status);

// The recordInfo `data` object for `task` as seen at `now_ms` (api-reference §1.5):
// param and resultJson are JSON strings; times in epoch ms; costTime in ms.
nlohmann::ordered_json TaskRecord(const Task& task, int64_t now_ms, std::string_view public_url);

// failCode / failMsg of a failed task: its overrides, else Apikley's words for its reason.
struct FailureWords {
  std::string code;
  std::string message;
};
FailureWords FailureFor(const Task& task);

// Apikley's name of a neutral state: waiting, queuing, generating, success, fail.
const char* StateName(TaskState state);

}  // namespace imagine::apikley

#endif  // IMAGINE_PROVIDERS_APIKLEY_RENDER_H_
