// AttemptRecord: the history of callback attempts that GET /_emulator/callbacks and the
// journal read — a ring buffer of the newest attempts, numbered in recording order — plus the
// tally of how deliveries ended and the observer told of each attempt. Owned by the
// CallbackDispatcher. Thread-safe: one mutex, a leaf (no other lock is taken under it; the
// observer runs without it).
#ifndef IMAGINE_CALLBACKS_ATTEMPT_RECORD_H_
#define IMAGINE_CALLBACKS_ATTEMPT_RECORD_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "callbacks/callback_attempt.h"

namespace imagine {

class AttemptRecord {
 public:
  using Observer = std::function<void(const CallbackAttempt&)>;

  // Keeps at most `capacity` attempts (0: none; each is then counted as evicted at once).
  explicit AttemptRecord(size_t capacity) : capacity_(capacity) {}

  // Numbers `attempt` (sets attempt->seq, from 1) and keeps a copy, evicting the oldest one
  // beyond capacity.
  void Add(CallbackAttempt* attempt);
  // The kept attempts, oldest first; task_id "" = all.
  std::vector<CallbackAttempt> List(std::string_view task_id = {}) const;
  // Forgets the kept attempts: all (`keep` null) or those `keep` rejects. `keep` runs under
  // the record's lock: it must not call back into the record or the dispatcher.
  void Clear(const std::function<bool(const CallbackAttempt&)>& keep = nullptr);

  // `observer` (null: none) is called by Notify. Precondition: set before the first Notify
  // that should reach it.
  void SetObserver(Observer observer);
  // Calls the observer with `attempt`, on this thread, without the lock held; an exception
  // it throws is logged and swallowed.
  void Notify(const CallbackAttempt& attempt) const;

  // Counts how one delivery ended: "delivered", "dropped", or otherwise failed.
  void CountDeliveryEnd(const std::string& outcome);

  struct Counts {
    uint64_t attempts = 0;           // Add calls
    uint64_t attempts_evicted = 0;   // attempts pushed out of (or never kept in) the buffer
    uint64_t delivered = 0;          // deliveries that ended "delivered"
    uint64_t failed_deliveries = 0;  // deliveries that ended failed
    uint64_t dropped_by_fault = 0;   // deliveries that ended "dropped"
  };
  Counts counts() const;

 private:
  const size_t capacity_;
  mutable std::mutex mu_;  // protects every field below
  uint64_t next_seq_ = 1;
  std::deque<CallbackAttempt> attempts_;  // oldest first, at most capacity_
  Counts counts_;
  std::shared_ptr<const Observer> observer_;
};

}  // namespace imagine

#endif  // IMAGINE_CALLBACKS_ATTEMPT_RECORD_H_
