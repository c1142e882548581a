// xAI's answers: the deferred request {"request_id"}, the result object of GET
// /v1/videos/{request_id} (X-GET: status pending | processing | done | failed | expired,
// progress, model; video and usage when done; error when failed) and the error body
// {"code","error"} (X-ERR) with the HTTP status of the document's wording table.
// Stateless; thread-safe.
#ifndef IMAGINE_PROVIDERS_XAI_RENDER_H_
#define IMAGINE_PROVIDERS_XAI_RENDER_H_

#include <nlohmann/json.hpp>

#include "common/api.h"
#include "common/status.h"
#include "engine/task.h"
#include "providers/dialect.h"

namespace imagine::xai {

// The duration a request asked for (its accepted body; the default 8 when absent).
inline constexpr int kDefaultDurationS = 8;
int RequestedDuration(const Task& task);

ApiResponse Json(int status, const nlohmann::ordered_json& body);

// {"code": words.error_code, "error": message} with `words`' HTTP status.
ApiResponse ErrorBody(const ErrorWords& words, const std::string& message);

// xAI's status word at ctx.now_ms: "expired" once a done task's result link has expired.
const char* StatusName(const Task& task, const RenderContext& ctx);

// The result object at ctx.now_ms.
nlohmann::ordered_json Result(const Task& task, const RenderContext& ctx);

}  // namespace imagine::xai

#endif  // IMAGINE_PROVIDERS_XAI_RENDER_H_
