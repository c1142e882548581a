// RetryPolicy: how often and how patiently the CallbackDispatcher delivers one webhook.
// Chosen per provider by the dialect that submits the callback (Evolink: 10 s timeout,
// retries at +1, +2, +4 s; Apikley/Kie: one attempt). Plain value type; not synchronized.
#ifndef IMAGINE_CALLBACKS_RETRY_POLICY_H_
#define IMAGINE_CALLBACKS_RETRY_POLICY_H_

#include <cstdint>
#include <vector>

namespace imagine {

struct RetryPolicy {
  // Timeout of one attempt, in real milliseconds whatever the clock (a sped-up clock does
  // not shrink it): one deadline for the whole attempt — name lookup, connect, request,
  // answer (callbacks/http_exchange.cc).
  int64_t timeout_ms = 10000;
  // Emulated delay before each retry, measured from the end of the failed attempt:
  // entry i is the wait before attempt i + 2. Empty = a single attempt.
  std::vector<int64_t> retry_delays_ms;
};

// Evolink (api-reference 2.5): "10 s timeout; 2xx = success; otherwise up to 3 retries at
// +1 s, +2 s, +4 s" — 4 attempts at +0, +1, +3, +7 s.
inline RetryPolicy EvolinkRetryPolicy() { return RetryPolicy{10000, {1000, 2000, 4000}}; }

// Apikley/Kie: retries are undocumented (api-reference 1.6 and ambiguity 9); the suggested
// behaviour is a single attempt with a 10 s timeout.
inline RetryPolicy ApikleyRetryPolicy() { return RetryPolicy{10000, {}}; }

}  // namespace imagine

#endif  // IMAGINE_CALLBACKS_RETRY_POLICY_H_
