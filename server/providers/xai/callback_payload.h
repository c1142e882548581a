// xAI sends no callbacks: its video API documents none (X-GEN), and the document names no
// callback field (create_fields.callback_url ''), so no xAI task has a callback URL and
// this body is never sent. It is the result object, for a Dialect that must have one.
// Stateless; thread-safe.
#ifndef IMAGINE_PROVIDERS_XAI_CALLBACK_PAYLOAD_H_
#define IMAGINE_PROVIDERS_XAI_CALLBACK_PAYLOAD_H_

#include <nlohmann/json.hpp>

#include "engine/task.h"
#include "providers/dialect.h"

namespace imagine::xai {

nlohmann::ordered_json CallbackPayload(const Task& task, const RenderContext& ctx);

}  // namespace imagine::xai

#endif  // IMAGINE_PROVIDERS_XAI_CALLBACK_PAYLOAD_H_
