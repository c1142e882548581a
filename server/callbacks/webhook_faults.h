// WebhookFaults: per-task misbehaviour of webhook delivery, chosen by the client with the
// X-Emulator-Callback request header (or by config), so receivers can be tested against
// duplicates, delays, losses, reordering and retries. Used by the dialects (parsing) and
// the CallbackDispatcher (acting on them). Value type and a pure function; thread-safe.
//
//   auto faults = ParseWebhookFaults("duplicate;delay=2.5");  // ok, delay_ms == 2500
#ifndef IMAGINE_CALLBACKS_WEBHOOK_FAULTS_H_
#define IMAGINE_CALLBACKS_WEBHOOK_FAULTS_H_

#include <cstdint>
#include <string_view>

#include "common/status.h"

namespace imagine {

struct WebhookFaults {
  // Deliver the callback twice: a second, independent delivery (its own attempts and
  // retries, delivery == 2) starts as soon as the first delivery has finished, whether it
  // was delivered, gave up or was dropped.
  bool duplicate = false;
  // The first attempt happens this many emulated ms after submission (a Scheduler timer).
  int64_t delay_ms = 0;
  // Never send anything; the delivery is still recorded as one attempt with outcome
  // "dropped" (at the moment it would have been sent).
  bool drop = false;
  // Deliveries due at the same emulated instant with this flag are sent by one worker in
  // reverse submission order.
  bool out_of_order = false;
  // Attempts 1..fail_first of each delivery count as failed (outcome "forced_failure")
  // even when the receiver answers 2xx, so that retries can be tested end to end.
  int fail_first = 0;
};

// Upper bounds accepted by ParseWebhookFaults.
inline constexpr int64_t kMaxWebhookFaultDelayMs = 30LL * 24 * 3600 * 1000;  // 30 days
inline constexpr int kMaxWebhookFaultFailFirst = 100;

// Parses a fault spec: tokens "duplicate", "delay=<seconds>" (decimal, e.g. 2.5, rounded to
// ms), "drop", "out_of_order", "fail_first=<n>", separated by ';' or ','. Whitespace is
// ignored, empty tokens are skipped, a repeated name keeps its last value; "" = no faults.
// Returns kInvalidArgument naming the offending token (violation.value) on an unknown name,
// a flag given a value, a missing/malformed/out-of-range value.
StatusOr<WebhookFaults> ParseWebhookFaults(std::string_view spec);

}  // namespace imagine

#endif  // IMAGINE_CALLBACKS_WEBHOOK_FAULTS_H_
