// Evolink's callback body: "Response format matches task query API" (seed, callback_url) —
// exactly the object GET /v1/tasks/{id} returns at that moment. Stateless; thread-safe.
#ifndef IMAGINE_PROVIDERS_EVOLINK_CALLBACK_PAYLOAD_H_
#define IMAGINE_PROVIDERS_EVOLINK_CALLBACK_PAYLOAD_H_

#include <nlohmann/json.hpp>
#include <string_view>

#include "engine/task.h"
#include "providers/common/wording.h"

namespace imagine::evolink {

nlohmann::ordered_json CallbackPayload(const Task& task, int64_t now_ms, std::string_view public_url,
                                       std::string_view user_group, const Wording& words);

}  // namespace imagine::evolink

#endif  // IMAGINE_PROVIDERS_EVOLINK_CALLBACK_PAYLOAD_H_
