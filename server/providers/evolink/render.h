// Evolink's task object, returned by POST /v1/videos/generations and GET /v1/tasks/{id}
// and POSTed as the callback (api-reference §2.2, §2.6), and its status words. Errors
// are {"error":{code,message,type[,param]}} with a real HTTP status; their words come
// from the wording table of schemas/evolink.openapi.yaml. Stateless; thread-safe.
#ifndef IMAGINE_PROVIDERS_EVOLINK_RENDER_H_
#define IMAGINE_PROVIDERS_EVOLINK_RENDER_H_

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "common/api.h"
#include "common/status.h"
#include "engine/task.h"
#include "providers/common/wording.h"

namespace imagine::evolink {

ApiResponse Json(int status, const nlohmann::ordered_json& body);

// {"error":{code,message,type[,param]}} with `words`' HTTP status; param is the field of
// the Status's pointer, else the row's param.
ApiResponse ErrorBody(const Status& status, const ErrorWords& words, const std::string& message);

// The task object at `now_ms`: progress, status, results when completed, error when failed,
// as the compact JSON the answers carry (written without a json tree: the request path).
std::string TaskObjectJson(const Task& task, int64_t now_ms, std::string_view public_url,
                           std::string_view user_group, const Wording& words);
// The same as a tree (the callback payload): TaskObjectJson parsed.
nlohmann::ordered_json TaskObject(const Task& task, int64_t now_ms, std::string_view public_url,
                                  std::string_view user_group, const Wording& words);

// Evolink's status word: pending (waiting, queuing), processing, completed, failed.
const char* StatusName(TaskState state);

}  // namespace imagine::evolink

#endif  // IMAGINE_PROVIDERS_EVOLINK_RENDER_H_
