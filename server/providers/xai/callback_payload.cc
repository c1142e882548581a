#include "providers/xai/callback_payload.h"

#include "engine/media.h"

namespace imagine::xai {

std::string UploadBody(const Task& task, const RenderContext& /*ctx*/) {
  if (task.timeline.outcome != TaskState::kSucceeded) return "";
  auto file = ResultFile(task, 0);
  return file.ok() ? std::string(file->bytes) : std::string();
}

}  // namespace imagine::xai
