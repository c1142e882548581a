// Apikley's callback body: Kie's "unified callback" (api-reference §1.6) — code 200|501,
// a fixed msg, and the task record with costTime in SECONDS (unlike recordInfo's ms).
// Stateless; thread-safe.
#ifndef IMAGINE_PROVIDERS_APIKLEY_CALLBACK_PAYLOAD_H_
#define IMAGINE_PROVIDERS_APIKLEY_CALLBACK_PAYLOAD_H_

#include <nlohmann/json.hpp>
#include <string_view>

#include "engine/task.h"
#include "providers/common/wording.h"

namespace imagine::apikley {

// Precondition: the task is terminal at `now_ms`.
nlohmann::ordered_json CallbackPayload(const Task& task, int64_t now_ms, std::string_view public_url,
                                       const Wording& words);

}  // namespace imagine::apikley

#endif  // IMAGINE_PROVIDERS_APIKLEY_CALLBACK_PAYLOAD_H_
