// CallbackDispatcher: delivers task-finished webhooks the way the real providers do —
// POST JSON, a per-attempt timeout, retries on the emulated clock, optional Kie HMAC
// signature — plus client-chosen faults (webhook_faults.h), and records every attempt.
// Used by the app (Submit), the admin API and the journal (Attempts, InFlight, stats, observer).
// Thread-safe: Submit never waits on a receiver (bounded queue, worker threads, started at
// the first accepted Submit so that a start-up pays for none of them); all
// waiting for a delay or a retry is a Scheduler timer, so on a VirtualClock nothing
// scheduled happens until Scheduler::Advance passes it.
//
// It is assembled from narrow parts, each with its own lock: FairQueue (admission, the
// per-key ready queues, turns between keys), DeliveryTimers (what waits on the clock),
// MakeCallbackAttempt (one attempt, no shared state), InFlightAttempts and AttemptRecord
// (what the control API reads).
//
//   CallbackDispatcher dispatcher(CallbackOptions{}, &clock, &scheduler);
//   dispatcher.Submit({task_id, "evolink", url, body, "", EvolinkRetryPolicy(), faults});
#ifndef IMAGINE_CALLBACKS_CALLBACK_DISPATCHER_H_
#define IMAGINE_CALLBACKS_CALLBACK_DISPATCHER_H_

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "callbacks/attempt_record.h"
#include "callbacks/callback_attempt.h"
#include "callbacks/callback_delivery.h"
#include "callbacks/callback_request.h"
#include "callbacks/delivery_timers.h"
#include "callbacks/fair_queue.h"
#include "callbacks/in_flight_attempts.h"
#include "callbacks/retry_policy.h"
#include "callbacks/webhook_faults.h"
#include "callbacks/webhook_sender.h"
#include "common/status.h"
#include "engine/clock.h"
#include "engine/clock.h"
#include "engine/timers.h"

namespace imagine {

struct CallbackOptions {
  // --- Delivery threads
  int workers = 4;  // threads sending attempts (at least 1)
  // Accepted submissions not yet finished (queued, in flight, or waiting on the clock for a
  // delay, a retry or an out-of-order batch). Shared fairly between keys: once this many
  // are pending, a key holding its fair share (capacity / keys with pending callbacks) or
  // more is refused (counted, logged), while a key below its share is still accepted — so
  // one key's flood never locks out the next key, and at most 2 x capacity are pending.
  size_t queue_capacity = 10000;
  // --- TLS towards receivers
  bool verify_tls = true;  // verify receivers' certificates (chain and host name)
  std::string ca_file;     // extra CA bundle (PEM) trusted besides the system store; "" = system only
  // --- Attempt log
  // Ring buffer size; the oldest attempt is evicted (counted in stats().attempts_evicted).
  // About 1 KB + the request body per entry.
  size_t max_recorded_attempts = 100000;
  // --- Set by the application, not config keys
  // The emulator's listening ports: callbacks never connect to them on a local address.
  std::vector<int> own_ports;
};

// Checks the options once at start-up: workers >= 1, queue_capacity >= 1, ca_file loadable.
Status CheckCallbackOptions(const CallbackOptions& options);

class CallbackDispatcher {
 public:
  // `clock` and `scheduler` must outlive the dispatcher (and share the same clock).
  // Starts no thread: the workers start at the first accepted Submit. `sender` null means an HttpWebhookSender built from the
  // options (tests pass a fake). Invalid options are clamped (workers, capacity) or logged
  // (ca_file); use CheckCallbackOptions to refuse them instead.
  CallbackDispatcher(CallbackOptions options, const Clock* clock, Timers* scheduler,
                     std::unique_ptr<const WebhookSender> sender = nullptr);
  ~CallbackDispatcher();  // Shutdown()

  CallbackDispatcher(const CallbackDispatcher&) = delete;
  CallbackDispatcher& operator=(const CallbackDispatcher&) = delete;

  // Accepts a delivery and returns at once: never waits for a receiver or a worker. The
  // first attempt is queued for a worker now, or (delay fault) by a timer at now + delay,
  // or (out_of_order fault) when the batch of its due instant closes — a timer at that
  // same instant, so on a VirtualClock an out_of_order submission made outside a timer
  // goes out at the next Advance (Advance(0) will do). Returns false — nothing scheduled,
  // counted in stats(), logged at warn — when queue_capacity submissions are pending or
  // after Shutdown(). Callable from any thread, including Scheduler timers.
  bool Submit(CallbackRequest request);

  // Attempts being made right now, oldest first; task_id "" = all.
  std::vector<InFlightAttempt> InFlight(std::string_view task_id = {}) const;

  // Recorded attempts, oldest first (at most max_recorded_attempts); task_id "" = all.
  std::vector<CallbackAttempt> Attempts(std::string_view task_id = {}) const;
  // Forgets recorded attempts: all of them (`keep` null) or those `keep` rejects. Deliveries
  // in progress go on. `keep` runs under the record's lock and must not call the dispatcher.
  void ClearAttempts(const std::function<bool(const CallbackAttempt&)>& keep = nullptr);

  // Called after every recorded attempt on the worker thread that made it, without the
  // dispatcher's locks held (it may call Attempts() or stats()). Attempts of one delivery
  // chain are observed in order. Precondition: set before the first Submit.
  void SetObserver(std::function<void(const CallbackAttempt&)> observer);

  struct Stats {
    uint64_t submitted = 0;            // accepted by Submit
    uint64_t delivered = 0;            // deliveries that ended with a 2xx (a duplicate counts twice)
    uint64_t failed_deliveries = 0;    // deliveries whose last attempt failed (retries exhausted)
    uint64_t attempts = 0;             // attempts recorded, including "dropped" entries
    uint64_t rejected_queue_full = 0;  // Submit calls refused for capacity (the key's share)
    uint64_t dropped_by_fault = 0;     // deliveries dropped by the drop fault
    uint64_t attempts_evicted = 0;     // attempts pushed out of the ring buffer
    size_t queued = 0;                 // deliveries waiting for a worker
    // Additions beyond the original interface.
    uint64_t rejected_shut_down = 0;   // Submit calls refused after Shutdown()
    uint64_t abandoned = 0;            // submissions unfinished at Shutdown()
    size_t in_flight = 0;              // work items (a delivery or an out-of-order batch) being sent
    size_t waiting = 0;                // deliveries waiting on the clock (delay, retry, batch)
    size_t pending = 0;                // accepted submissions not yet finished (vs queue_capacity)
  };
  // Each part's counters are read under its own lock, one part after the other.
  Stats stats() const;

  // Blocks until no delivery is queued or in flight (those waiting on the clock do not
  // count) or `timeout` passes; returns whether idle. For tests and graceful shutdown.
  bool WaitIdle(std::chrono::milliseconds timeout) const;

  // Stops the workers after their current attempt (which may take up to its timeout) and
  // cancels this dispatcher's timers. Pending submissions are abandoned (counted in
  // stats().abandoned, logged at info). Idempotent. Must not be called from the observer.
  void Shutdown();

 private:
  void WorkerLoop();
  // Makes the attempt `d` is due for (MakeCallbackAttempt), records it, tells the observer,
  // then schedules what follows (FollowUp).
  void RunDelivery(const CallbackDelivery& d);
  // A retry (`result.attempt.will_retry`), the duplicate copy, or the end of the submission;
  // nothing once stopping (the submission was abandoned).
  void FollowUp(const CallbackDelivery& d, const AttemptResult& result);
  // Where the first attempt of an admitted request waits: the queue, a timer, or a batch.
  void Start(CallbackDelivery first);
  // Starts the worker threads unless they run or Shutdown() was called; cheap once started.
  void EnsureWorkers();
  void LogRefused(const CallbackRequest& r, const FairQueue::Admission& admission) const;
  // The emulated instant to count from: the attempt's due instant on a VirtualClock.
  int64_t NowFor(int64_t virtual_ms) const { return clock_->is_virtual() ? virtual_ms : clock_->NowMs(); }

  const CallbackOptions options_;
  const Clock* const clock_;
  std::unique_ptr<const WebhookSender> sender_;  // set in the constructor, then read-only

  // The parts; each locks itself. Only two locks ever nest: DeliveryTimers' lock, then the
  // Scheduler's (ScheduleAt, Cancel) or FairQueue's (a due timer pushing its work). Every
  // other lock is taken alone, and none is held during network I/O or while the observer runs.
  AttemptRecord record_;
  InFlightAttempts in_flight_;
  FairQueue queue_;
  DeliveryTimers timers_;  // hands due work to queue_, so declared after it

  // Protects workers_ and workers_closed_ (EnsureWorkers starts them, Shutdown() joins them);
  // no lock is taken under it.
  std::mutex shutdown_mu_;
  std::vector<std::thread> workers_;
  bool workers_closed_ = false;              // started, or Shutdown() was called: never start again
  std::atomic<bool> workers_started_{false};  // EnsureWorkers' fast path

};

}  // namespace imagine

#endif  // IMAGINE_CALLBACKS_CALLBACK_DISPATCHER_H_
