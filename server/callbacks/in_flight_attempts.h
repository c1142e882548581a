// InFlightAttempts: the callback attempts being made right now, as GET /_emulator/callbacks
// lists them. The attempt (callback_attempt.h) adds itself before it sends and removes itself
// when the answer is in. Thread-safe: one mutex, a leaf (no other lock is taken under it).
#ifndef IMAGINE_CALLBACKS_IN_FLIGHT_ATTEMPTS_H_
#define IMAGINE_CALLBACKS_IN_FLIGHT_ATTEMPTS_H_

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace imagine {

// An attempt being made now.
struct InFlightAttempt {
  std::string task_id, provider, url;
  int delivery = 1;
  int attempt = 1;
  int64_t sent_at_ms = 0;     // as CallbackAttempt::sent_at_ms
  int64_t elapsed_us = 0;     // real time since the attempt started
  int64_t deadline_us = 0;    // its real-time deadline (timeout_s), from the start
};

class InFlightAttempts {
 public:
  using Id = uint64_t;

  // Lists `attempt` as started now (its elapsed_us is ignored); returns the id for End().
  Id Begin(InFlightAttempt attempt);
  // Removes the attempt `id`; an unknown id is ignored.
  void End(Id id);
  // The attempts in progress, oldest first, with elapsed_us measured now; task_id "" = all.
  std::vector<InFlightAttempt> List(std::string_view task_id = {}) const;

 private:
  struct Entry {
    InFlightAttempt attempt;
    std::chrono::steady_clock::time_point started;
  };
  mutable std::mutex mu_;  // protects entries_ and next_id_
  std::map<Id, Entry> entries_;  // by start order
  Id next_id_ = 1;
};

}  // namespace imagine

#endif  // IMAGINE_CALLBACKS_IN_FLIGHT_ATTEMPTS_H_
