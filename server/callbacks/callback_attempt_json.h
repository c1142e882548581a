// JSON form of a recorded callback attempt, as GET /_emulator/callbacks and the journal
// show it. Stateless; thread-safe.
#ifndef IMAGINE_CALLBACKS_CALLBACK_ATTEMPT_JSON_H_
#define IMAGINE_CALLBACKS_CALLBACK_ATTEMPT_JSON_H_

#include <nlohmann/json.hpp>

#include "callbacks/callback_attempt.h"

namespace imagine {

nlohmann::ordered_json CallbackAttemptToJson(const CallbackAttempt& a);

}  // namespace imagine

#endif  // IMAGINE_CALLBACKS_CALLBACK_ATTEMPT_JSON_H_
