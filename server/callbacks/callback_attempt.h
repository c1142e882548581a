// One callback attempt from start to end, with no shared state: MakeCallbackAttempt builds the
// request (headers, Kie's signature), posts it through a WebhookSender under the policy's
// timeout, classifies the answer and says whether the policy allows a retry, and after how
// long. The CallbackDispatcher's workers call it; CallbackAttempt is the record the control
// API, the journal and the dispatcher's observer see. Thread-safe: the function touches only
// its arguments (the sender and the in-flight list are thread-safe themselves).
#ifndef IMAGINE_CALLBACKS_CALLBACK_ATTEMPT_H_
#define IMAGINE_CALLBACKS_CALLBACK_ATTEMPT_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "callbacks/callback_request.h"
#include "callbacks/in_flight_attempts.h"
#include "callbacks/webhook_sender.h"

namespace imagine {

inline constexpr const char* kCallbackUserAgent = "imagine-emu-callbacks/1";
inline constexpr size_t kMaxRecordedResponseBytes = 1024;

// The values of CallbackAttempt::outcome.
inline constexpr const char* kOutcomeDelivered = "delivered";
inline constexpr const char* kOutcomeFailed = "failed";
inline constexpr const char* kOutcomeForcedFailure = "forced_failure";
inline constexpr const char* kOutcomeDropped = "dropped";

// One recorded attempt (or one dropped delivery).
struct CallbackAttempt {
  uint64_t seq = 0;  // global order of recording, from 1 (set by AttemptRecord::Add)
  std::string task_id, provider, url;
  std::string method = "POST";  // "POST", or "PUT" for an upload (callback_request.h)
  int delivery = 1;  // 1, or 2 for the duplicate copy
  int attempt = 1;   // 1-based within a delivery
  // Emulated time of the attempt. On a VirtualClock this is the instant the attempt fell
  // due (the network takes no emulated time there, so a run repeats exactly however the
  // test advances); on a RealClock, the clock when the attempt started.
  int64_t sent_at_ms = 0;
  std::vector<std::pair<std::string, std::string>> request_headers;  // as set by us, in order
  std::string request_body;
  int status = 0;             // HTTP status; 0 when no response
  std::string response_body;  // truncated to kMaxRecordedResponseBytes
  int64_t latency_us = 0;     // real time the attempt took
  std::string error;          // "" or one line: "timeout", "connection refused", "TLS: ...", "invalid URL: ..."
  // "delivered"      — the receiver answered 2xx;
  // "failed"         — non-2xx, timeout, connection/TLS error or invalid URL;
  // "forced_failure" — 2xx, but the fail_first fault counted it as failed;
  // "dropped"        — the drop fault: nothing was sent.
  std::string outcome;
  bool will_retry = false;  // a next attempt of this delivery is scheduled (set by the dispatcher)
};

// Which attempt to make.
struct AttemptPlan {
  int delivery = 1;        // 1, or 2 for the duplicate copy
  int attempt = 1;         // 1-based within the delivery
  int64_t sent_at_ms = 0;  // the emulated instant recorded and signed (CallbackAttempt::sent_at_ms)
};

struct AttemptResult {
  CallbackAttempt attempt;     // complete but for seq and will_retry
  bool failed = false;         // outcome "failed" or "forced_failure"
  bool retry_allowed = false;  // failed, not permanently (invalid URL), and the policy has a retry left
  int64_t retry_delay_ms = 0;  // emulated wait before the next attempt when retry_allowed (>= 0)
};

// Makes attempt `plan` of `request`. The drop fault sends nothing (outcome "dropped", no
// headers, no retry). Otherwise it posts request.body with Content-Type, User-Agent and, with
// an hmac_key, Kie's timestamp and signature for plan.sent_at_ms; the timeout is
// policy.timeout_ms in real time, clamped to [1 ms, 1 day]. While the post is under way the
// attempt is listed in `in_flight` (may be null). A 2xx is "delivered" unless plan.attempt
// <= faults.fail_first ("forced_failure"); anything else is "failed". Never throws.
AttemptResult MakeCallbackAttempt(const CallbackRequest& request, const AttemptPlan& plan,
                                  const WebhookSender& sender, InFlightAttempts* in_flight);

}  // namespace imagine

#endif  // IMAGINE_CALLBACKS_CALLBACK_ATTEMPT_H_
