#include "providers/evolink/callback_payload.h"

#include "providers/evolink/render.h"

namespace imagine::evolink {

nlohmann::ordered_json CallbackPayload(const Task& task, int64_t now_ms, std::string_view public_url,
                                       std::string_view user_group, const Wording& words) {
  return TaskObject(task, now_ms, public_url, user_group, words);
}

}  // namespace imagine::evolink
