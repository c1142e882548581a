// Evolink's words: real HTTP statuses with {"error":{code,message,type[,param]}} bodies,
// and the task object of POST /v1/videos/generations and GET /v1/tasks/{id}
// (api-reference §2.2, §2.4, §2.6). Error texts live in one table in render.cc.
// Stateless; thread-safe.
#ifndef IMAGINE_PROVIDERS_EVOLINK_RENDER_H_
#define IMAGINE_PROVIDERS_EVOLINK_RENDER_H_

#include <nlohmann/json.hpp>
#include <string_view>

#include "common/api.h"
#include "common/status.h"
#include "engine/task.h"
#include "providers/evolink/evolink_options.h"

namespace imagine::evolink {

ApiResponse Json(int status, const nlohmann::ordered_json& body);

// An engine Status in Evolink's words (see the table in render.cc).
ApiResponse RenderError(const Status& status);

// The task object at `now_ms`: progress, status, results when completed, error when failed.
nlohmann::ordered_json TaskObject(const Task& task, int64_t now_ms, std::string_view public_url,
                                  std::string_view user_group);

// error.code / error.message of a failed task: its overrides, else Evolink's words for
// its reason (the documented task-level business codes, api-reference §2.4).
std::pair<std::string, std::string> FailureFor(const Task& task);

// Evolink's status word: pending (waiting, queuing), processing, completed, failed.
const char* StatusName(TaskState state);

}  // namespace imagine::evolink

#endif  // IMAGINE_PROVIDERS_EVOLINK_RENDER_H_
