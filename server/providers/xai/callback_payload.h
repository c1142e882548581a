// What xAI sends instead of a callback: its video API documents no webhook, but
// output.upload_url (X-GEN: "Signed URL to upload the generated video via HTTP PUT"). The
// document maps that field to the task's callback URL (create_fields.callback_url), and the
// dialect's traits make the "callback" a PUT of the video, sent only when the task is done.
// Stateless; thread-safe.
#ifndef IMAGINE_PROVIDERS_XAI_CALLBACK_PAYLOAD_H_
#define IMAGINE_PROVIDERS_XAI_CALLBACK_PAYLOAD_H_

#include <string>

#include "engine/task.h"
#include "providers/dialect.h"

namespace imagine::xai {

// The MP4 of a done task (what video.url serves), whatever its link's state; "" when the
// task has no video (it failed) or the fixture is missing.
std::string UploadBody(const Task& task, const RenderContext& ctx);

}  // namespace imagine::xai

#endif  // IMAGINE_PROVIDERS_XAI_CALLBACK_PAYLOAD_H_
