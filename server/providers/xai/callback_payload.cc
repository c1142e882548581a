#include "providers/xai/callback_payload.h"

#include "providers/xai/render.h"

namespace imagine::xai {

nlohmann::ordered_json CallbackPayload(const Task& task, const RenderContext& ctx) { return Result(task, ctx); }

}  // namespace imagine::xai
